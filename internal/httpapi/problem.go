package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// Codes the API adds to the domain's stable codes. Clients branch on them,
// so they never change.
const (
	CodeUnauthorized         = "unauthorized"
	CodeRouteNotFound        = "route_not_found"
	CodeMethodNotAllowed     = "method_not_allowed"
	CodeMalformedRequest     = "malformed_request"
	CodePayloadTooLarge      = "payload_too_large"
	CodeUnsupportedMedia     = "unsupported_media_type"
	CodeIdempotencyKeyReused = "idempotency_key_reused"
)

// statusOfCode is the one place a stable code becomes an HTTP status.
// Anything not listed is a 500: an unknown code is our bug, not the client's.
var statusOfCode = map[string]int{
	domain.EINVALID:           http.StatusBadRequest,
	domain.ENOTFOUND:          http.StatusNotFound,
	domain.ECONFLICT:          http.StatusConflict,
	domain.EINTERNAL:          http.StatusInternalServerError,
	domain.EINVALIDTRANSITION: http.StatusConflict,
	domain.ECYCLE:             http.StatusUnprocessableEntity,
	domain.EUNKNOWNDEPENDENCY: http.StatusUnprocessableEntity,
	domain.EVERSIONCONFLICT:   http.StatusConflict,
	domain.ENOTELIGIBLE:       http.StatusConflict,
	domain.ERETRYEXHAUSTED:    http.StatusConflict,
	domain.EPARENTNOTACTIVE:   http.StatusUnprocessableEntity,
	domain.ECOMPLETIONBLOCKED: http.StatusConflict,
	domain.EDUPLICATEINSTANCE: http.StatusConflict,

	CodeUnauthorized:         http.StatusUnauthorized,
	CodeRouteNotFound:        http.StatusNotFound,
	CodeMethodNotAllowed:     http.StatusMethodNotAllowed,
	CodeMalformedRequest:     http.StatusBadRequest,
	CodePayloadTooLarge:      http.StatusRequestEntityTooLarge,
	CodeUnsupportedMedia:     http.StatusUnsupportedMediaType,
	CodeIdempotencyKeyReused: http.StatusConflict,
}

// StatusOf returns the HTTP status of a stable code.
func StatusOf(code string) int {
	if s, ok := statusOfCode[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// FieldError names one problem with one request field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Problem is the RFC 9457 application/problem+json body, with the stable code.
type Problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Code   string       `json:"code"`
	Errors []FieldError `json:"errors,omitempty"`
}

// apiError is an error the API itself raises, optionally with field problems.
type apiError struct {
	code   string
	detail string
	fields []FieldError
}

func (e *apiError) Error() string { return e.code + ": " + e.detail }

func fail(code, detail string) *apiError { return &apiError{code: code, detail: detail} }

// invalidFields is a 400 listing every field problem found.
func invalidFields(fields []FieldError) *apiError {
	return &apiError{code: domain.EINVALID, detail: "the request has invalid fields", fields: fields}
}

// problemOf turns any error into the problem answered for it. Errors that
// are neither the API's nor the domain's are internal and show no detail.
func problemOf(err error) Problem {
	var ae *apiError
	code, detail := "", ""
	var fields []FieldError
	if errors.As(err, &ae) {
		code, detail, fields = ae.code, ae.detail, ae.fields
	} else {
		code, detail = domain.ErrorCode(err), domain.ErrorMessage(err)
	}
	status := StatusOf(code)
	if status == http.StatusInternalServerError {
		code, detail = domain.EINTERNAL, "internal error; the request may be retried"
	}
	return Problem{
		Type: "urn:orderfleet:problem:" + code, Title: http.StatusText(status), Status: status,
		Detail: detail, Code: code, Errors: fields,
	}
}

func writeProblem(w http.ResponseWriter, p Problem) {
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="orderfleet"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}
