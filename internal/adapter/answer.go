package adapter

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// interpret turns an HTTP answer into a Response or a classified CallError.
func (c *HTTPCaller) interpret(req Request, hresp *http.Response, raw []byte) (Response, error) {
	status := hresp.StatusCode
	want, isAnswer := map[int]Outcome{
		http.StatusOK: OutcomeCompleted, http.StatusCreated: OutcomeCompleted,
		http.StatusAccepted: OutcomeAccepted, http.StatusUnprocessableEntity: OutcomeRejected,
	}[status]
	if !isAnswer {
		var p WireProblem
		_ = json.Unmarshal(raw, &p) // best effort: the code helps the operator, its absence is fine
		kind := Permanent
		if retryableStatus(status) {
			kind = Transient
		}
		detail := p.Detail
		if detail == "" {
			detail = http.StatusText(status)
		}
		return Response{}, &CallError{Kind: kind, System: req.ExternalSystem, Operation: req.Operation,
			StatusCode: status, Code: p.Code, RetryAfter: retryAfter(hresp.Header.Get("Retry-After")), Err: fmt.Errorf("%s", detail)}
	}
	var w WireResponse
	hash, err := CanonicalHash(raw)
	if err == nil {
		err = json.Unmarshal(raw, &w)
	}
	if err == nil && w.Outcome != want {
		err = fmt.Errorf("HTTP %d carries outcome %q, want %q", status, w.Outcome, want)
	}
	if err == nil && want != OutcomeRejected && w.ExternalCorrelationID == "" {
		err = fmt.Errorf("%s answer without externalCorrelationId", want)
	}
	if err != nil {
		// the effect may have happened; repeating under the same key returns the answer again
		return Response{}, &CallError{Kind: Transient, System: req.ExternalSystem, Operation: req.Operation, StatusCode: status,
			Err: fmt.Errorf("unusable answer: %w", err)}
	}
	if want == OutcomeRejected && w.ReasonCode == "" {
		w.ReasonCode = "REJECTED_BY_PARTNER"
	}
	return Response{
		Outcome: want, ExternalCorrelationID: w.ExternalCorrelationID, ReasonCode: w.ReasonCode, Reason: w.Reason,
		ResponseHash: hash, Body: json.RawMessage(raw), Replayed: hresp.Header.Get(HeaderReplayed) == "true",
	}, nil
}

// retryableStatus lists the answers that say "not now" rather than "never".
func retryableStatus(status int) bool {
	switch status {
	case http.StatusRequestTimeout, http.StatusConflict, http.StatusTooEarly, http.StatusTooManyRequests:
		return true
	}
	return status >= 500
}

// retryAfter reads a Retry-After header given in seconds; dates are rare for APIs and ignored.
func retryAfter(v string) time.Duration {
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	return 0
}
