package correlation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// Reasons a record is dead-lettered; they go to dead_letter.error_code.
const (
	ReasonInvalidJSON     = "INVALID_JSON"
	ReasonMissingField    = "MISSING_FIELD"
	ReasonInvalidTenant   = "INVALID_TENANT"
	ReasonUnroutable      = "UNROUTABLE_PAYLOAD"
	ReasonEngineRejection = "ENGINE_REJECTED"
)

// UnknownTenant is recorded when a poison record is too broken to name its tenant.
const UnknownTenant = "_unknown"

// poison explains why a record can never be processed, however often it is retried.
type poison struct {
	code, reason string
}

func (p *poison) Error() string { return p.code + ": " + p.reason }

// tenantPattern: tenants are short identifiers; a ":" would make correlation keys ambiguous.
var tenantPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// parseEnvelope decodes and checks a record's value against the seed 001 §20 envelope. The tenant is
// returned whenever it could be read, so even a poison record is filed under its tenant.
func parseEnvelope(value []byte) (domain.Event, *poison) {
	var e domain.Event
	dec := json.NewDecoder(bytes.NewReader(value))
	if err := dec.Decode(&e); err != nil {
		return domain.Event{}, &poison{ReasonInvalidJSON, err.Error()}
	}
	if dec.More() {
		return domain.Event{}, &poison{ReasonInvalidJSON, "trailing data after the envelope"}
	}
	if !tenantPattern.MatchString(e.TenantID) {
		tenant := e.TenantID
		e.TenantID = ""
		return e, &poison{ReasonInvalidTenant, fmt.Sprintf("tenantId %q is not a tenant identifier", tenant)}
	}
	missing := ""
	switch {
	case e.EventID == "" || len(e.EventID) > 256:
		missing = "eventId"
	case e.EventType == "":
		missing = "eventType"
	case e.EventVersion < 1:
		missing = "eventVersion"
	case e.OccurredAt.IsZero():
		missing = "occurredAt"
	case e.AggregateType == "":
		missing = "aggregateType"
	case e.AggregateID == "":
		missing = "aggregateId"
	case e.Payload == nil:
		missing = "payload"
	}
	if missing != "" {
		return e, &poison{ReasonMissingField, missing + " is missing or invalid"}
	}
	return e, nil
}
