package domain

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Stable error codes. Callers branch on these strings (workers map them to
// job retries or fallout, the API to status codes), so they never change.
const (
	EINVALID           = "invalid"
	ENOTFOUND          = "not_found"
	ECONFLICT          = "conflict"
	EINTERNAL          = "internal"
	EINVALIDTRANSITION = "invalid_transition"
	ECYCLE             = "cycle"
	EUNKNOWNDEPENDENCY = "unknown_dependency"
	EVERSIONCONFLICT   = "version_conflict"
	ENOTELIGIBLE       = "not_eligible"
	ERETRYEXHAUSTED    = "retry_exhausted"
	EPARENTNOTACTIVE   = "parent_not_active"
	ECOMPLETIONBLOCKED = "completion_not_allowed"
	EDUPLICATEINSTANCE = "duplicate_process_instance"
)

// Error is the only error type the domain returns. Code is machine-readable
// and stable; Message is for humans; Refs names the entities involved (for
// a cycle: the task ids along it, in order).
type Error struct {
	Code    string
	Message string
	Refs    []string
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf builds an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, "" for nil
// and EINTERNAL for anything the domain did not produce.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the human message of a domain error, or a generic one
// so internal details do not leak to API callers.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// ErrorRefs returns the entity ids attached to a domain error.
func ErrorRefs(err error) []string {
	var e *Error
	if errors.As(err, &e) {
		return append([]string(nil), e.Refs...)
	}
	return nil
}

// IsCode reports whether err carries the given code.
func IsCode(err error, code string) bool { return ErrorCode(err) == code }

// IsConflict covers both flavours of "someone else changed it": callers that
// retry on optimistic-lock failures treat them the same way.
func IsConflict(err error) bool {
	c := ErrorCode(err)
	return c == ECONFLICT || c == EVERSIONCONFLICT
}

func transitionError(kind, from, to string) *Error {
	return &Error{
		Code:    EINVALIDTRANSITION,
		Message: fmt.Sprintf("%s cannot move from %s to %s", kind, from, to),
	}
}

func requireText(fields map[string]string) error {
	var missing []string
	for name, v := range fields {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	slices.Sort(missing)
	return Errorf(EINVALID, "missing required field(s): %s", strings.Join(missing, ", "))
}
