package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// call is one authenticated request as the handlers see it.
type call struct {
	r              *http.Request
	tenantID       string
	correlationID  string
	idempotencyKey string
	body           []byte
	now            time.Time
}

// pathID returns a path parameter that names an entity. A value that is not
// a UUID cannot name anything, so it is simply not found.
func (c *call) pathID(name string) (string, error) {
	v := c.r.PathValue(name)
	if !domain.IsUUID(v) {
		return "", domain.Errorf(domain.ENOTFOUND, "no %s %q", strings.TrimSuffix(name, "Id"), v)
	}
	return strings.ToLower(v), nil
}

// readBody reads at most limit bytes; a larger body is a 413.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	tooLarge := fail(CodePayloadTooLarge, fmt.Sprintf("the body exceeds %d bytes", limit))
	if r.ContentLength > limit {
		return nil, tooLarge
	}
	b, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	var maxErr *http.MaxBytesError
	if errors.As(err, &maxErr) {
		return nil, tooLarge
	}
	if err != nil {
		return nil, fail(CodeMalformedRequest, "the body could not be read")
	}
	return b, nil
}

// decodeBody strictly decodes the JSON body into v: the media type must be
// JSON, unknown fields and trailing data are refused. An empty body is
// allowed only when optional is set (commands without parameters).
func (c *call) decodeBody(v any, optional bool) error {
	if len(bytes.TrimSpace(c.body)) == 0 {
		if optional {
			return nil
		}
		return fail(CodeMalformedRequest, "a JSON body is required")
	}
	if mt, _, err := mime.ParseMediaType(c.r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		return fail(CodeUnsupportedMedia, "Content-Type must be application/json")
	}
	dec := json.NewDecoder(bytes.NewReader(c.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fail(CodeMalformedRequest, "the body holds more than one JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "(body)"
		}
		return invalidFields([]FieldError{{Field: field, Message: "must be " + jsonKind(typeErr.Type.Kind().String())}})
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return fail(CodeMalformedRequest, "the body is not valid JSON")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return invalidFields([]FieldError{{Field: strings.Trim(name, `"`), Message: "unknown field"}})
	}
	return fail(CodeMalformedRequest, "the body does not match the expected shape")
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "int", "int64", "int32", "uint", "uint64", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "of another type"
}

// fieldCheck gathers field problems so a client learns all of them at once.
type fieldCheck []FieldError

func (f *fieldCheck) require(field, value string) {
	if strings.TrimSpace(value) == "" {
		*f = append(*f, FieldError{Field: field, Message: "is required"})
	}
}

func (f *fieldCheck) oneOf(field, value string, allowed []string) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	*f = append(*f, FieldError{Field: field, Message: "must be one of " + strings.Join(allowed, ", ")})
}

func (f *fieldCheck) add(field, message string) {
	*f = append(*f, FieldError{Field: field, Message: message})
}

func (f fieldCheck) err() error {
	if len(f) == 0 {
		return nil
	}
	return invalidFields(f)
}

func names[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}
