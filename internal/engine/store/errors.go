package store

import (
	"errors"
	"fmt"

	"github.com/orderfleet/orderfleet/internal/engine/runtime"
)

// Code classifies a command's rejection; the gateway maps it to a gRPC code and the REST API
// to an HTTP status.
type Code int

const (
	CodeInternal Code = iota
	CodeNotFound
	CodeAlreadyExists
	CodeFailedPrecondition
	CodeInvalidArgument
	CodeUnimplemented
	CodeResourceExhausted
	CodeDeadlineExceeded
)

// Error is a rejection with a message meant for the client.
type Error struct {
	Code Code
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

func newError(code Code, format string, args ...any) error {
	return &Error{Code: code, Msg: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) error { return newError(CodeNotFound, format, args...) }
func invalid(format string, args ...any) error  { return newError(CodeInvalidArgument, format, args...) }
func precondition(format string, args ...any) error {
	return newError(CodeFailedPrecondition, format, args...)
}

// CodeOf classifies any error a store method returns, the runtime's sentinel errors included.
func CodeOf(err error) Code {
	var e *Error
	switch {
	case err == nil:
		return CodeInternal
	case errors.As(err, &e):
		return e.Code
	case errors.Is(err, runtime.ErrElementNotFound), errors.Is(err, runtime.ErrNotFound):
		return CodeNotFound
	case errors.Is(err, runtime.ErrInvalidState):
		return CodeFailedPrecondition
	case errors.Is(err, runtime.ErrInvalidArgument):
		return CodeInvalidArgument
	}
	return CodeInternal
}
