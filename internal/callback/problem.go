package callback

import (
	"encoding/json"
	"net/http"
)

// Stable problem codes; partners and tests branch on these, so they never change.
const (
	CodeMethodNotAllowed    = "method_not_allowed"
	CodeUnknownSystem       = "unknown_system"
	CodeMissingCredentials  = "missing_credentials"
	CodeUnknownTenant       = "unknown_tenant"
	CodeInvalidSignature    = "invalid_signature"
	CodeStaleTimestamp      = "stale_timestamp"
	CodePayloadTooLarge     = "payload_too_large"
	CodeUnsupportedMedia    = "unsupported_media_type"
	CodeMalformedPayload    = "malformed_payload"
	CodeUnknownTask         = "unknown_task"
	CodeCorrelationMismatch = "correlation_mismatch"
	CodeEventIDReused       = "partner_event_id_reused"
	CodeInternal            = "internal"
)

// Problem is an RFC 9457 problem+json body with the stable code.
type Problem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Code   string       `json:"code"`
	Errors []FieldError `json:"errors,omitempty"`
}

// refusal is an error that becomes a problem answer.
type refusal struct {
	status int
	code   string
	detail string
	fields []FieldError
}

func (r *refusal) Error() string { return r.code + ": " + r.detail }

func refuse(status int, code, detail string) *refusal {
	return &refusal{status: status, code: code, detail: detail}
}

func writeProblem(w http.ResponseWriter, r *refusal) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(r.status)
	_ = json.NewEncoder(w).Encode(Problem{
		Type: "urn:orderfleet:problem:" + r.code, Title: http.StatusText(r.status), Status: r.status,
		Detail: r.detail, Code: r.code, Errors: r.fields,
	})
}
