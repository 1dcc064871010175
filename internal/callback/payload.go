package callback

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// Payload is the body a partner posts. Fields are strict: unknown ones are refused so a partner's
// schema drift shows up as a 400 at once, not as silently ignored data.
type Payload struct {
	// PartnerEventID is the sender's delivery id; a redelivery repeats it and is answered from
	// the first delivery's result.
	PartnerEventID        string         `json:"partnerEventId"`
	OrderID               string         `json:"orderId"`
	TaskID                string         `json:"taskId"`
	ExternalCorrelationID string         `json:"externalCorrelationId"`
	Outcome               string         `json:"outcome"` // COMPLETED | REJECTED | FAILED
	ReasonCode            string         `json:"reasonCode,omitempty"`
	Reason                string         `json:"reason,omitempty"`
	OccurredAt            string         `json:"occurredAt"` // RFC 3339
	Result                map[string]any `json:"result,omitempty"`
}

// Outcomes a partner may report.
const (
	OutcomeCompleted = "COMPLETED"
	OutcomeRejected  = "REJECTED"
	OutcomeFailed    = "FAILED"
)

// FieldError names one invalid field of a payload.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// decodePayload parses and validates a body. The time is returned parsed.
func decodePayload(raw []byte) (Payload, time.Time, []FieldError) {
	var p Payload
	if bytes.Contains(raw, []byte(`\u0000`)) {
		// PostgreSQL's jsonb cannot store NUL; refusing here keeps that a 400, not a 500
		return p, time.Time{}, []FieldError{{Field: "", Message: "NUL characters are not allowed"}}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return p, time.Time{}, []FieldError{{Field: "", Message: "not a valid callback document: " + err.Error()}}
	}
	if dec.More() {
		return p, time.Time{}, []FieldError{{Field: "", Message: "data after the JSON document"}}
	}
	var errs []FieldError
	bad := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	text := func(field, v string, max int) {
		switch {
		case v == "":
			bad(field, "is required")
		case len(v) > max:
			bad(field, "is longer than %d characters", max)
		}
	}
	text("partnerEventId", p.PartnerEventID, 256)
	text("externalCorrelationId", p.ExternalCorrelationID, 256)
	for field, v := range map[string]string{"orderId": p.OrderID, "taskId": p.TaskID} {
		if !domain.IsUUID(v) {
			bad(field, "must be a UUID")
		}
	}
	switch p.Outcome {
	case OutcomeCompleted:
		if p.ReasonCode != "" {
			text("reasonCode", p.ReasonCode, 128)
		}
	case OutcomeRejected, OutcomeFailed:
		text("reasonCode", p.ReasonCode, 128)
	default:
		bad("outcome", "must be COMPLETED, REJECTED or FAILED")
	}
	if len(p.Reason) > 2000 {
		bad("reason", "is longer than 2000 characters")
	}
	at, err := time.Parse(time.RFC3339Nano, p.OccurredAt)
	if err != nil {
		bad("occurredAt", "must be an RFC 3339 time")
	}
	// map iteration above is random; a stable list reads better and tests can compare it
	slices.SortFunc(errs, func(a, b FieldError) int { return strings.Compare(a.Field, b.Field) })
	return p, at.UTC(), errs
}
