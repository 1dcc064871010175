package adapter

import "encoding/json"

// The HTTP contract between the OMS and a partner gateway (the adapter simulator speaks it too):
//
//	POST {baseURL}/operations/{operation}
//	Idempotency-Key: tenantId:orderId:taskId:attemptPurpose
//	X-Tenant-ID, X-Correlation-ID
//	body: WireRequest
//
// 200 = COMPLETED, 202 = ACCEPTED (result by callback), 422 = REJECTED, each with a WireResponse;
// 408/409/425/429/5xx = transient (409: the same key is still in progress); other 4xx = permanent.
// A partner that has seen the key answers with its first answer and "Idempotent-Replayed: true".
const (
	HeaderIdempotencyKey = "Idempotency-Key"
	HeaderTenantID       = "X-Tenant-ID"
	HeaderCorrelationID  = "X-Correlation-ID"
	HeaderReplayed       = "Idempotent-Replayed"
)

// WireRequest is the body of an adapter call.
type WireRequest struct {
	TenantID       string         `json:"tenantId"`
	OrderID        string         `json:"orderId"`
	TaskID         string         `json:"taskId"`
	ExternalSystem string         `json:"externalSystem"`
	Operation      string         `json:"operation"`
	Input          map[string]any `json:"input"`
	CallbackURL    string         `json:"callbackUrl,omitempty"`
}

// RequestHash identifies what was asked, leaving out where to call back: the same key with a
// different request is a client bug the partner refuses.
func (w WireRequest) RequestHash() string {
	w.CallbackURL = ""
	b, err := json.Marshal(w)
	if err != nil {
		return "" // unreachable: every field marshals
	}
	h, _ := CanonicalHash(b)
	return h
}

// WireResponse is the body of an answer.
type WireResponse struct {
	Outcome               Outcome        `json:"outcome"`
	ExternalCorrelationID string         `json:"externalCorrelationId,omitempty"`
	ReasonCode            string         `json:"reasonCode,omitempty"`
	Reason                string         `json:"reason,omitempty"`
	Result                map[string]any `json:"result,omitempty"`
}

// WireProblem is the problem+json body of an error answer.
type WireProblem struct {
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Code   string `json:"code"`
}
