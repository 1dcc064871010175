package simulator

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/adapter"
	"github.com/orderfleet/orderfleet/internal/callback"
)

// callbackEvent is the document a partner posts (the callback API's schema).
type callbackEvent struct {
	PartnerEventID        string `json:"partnerEventId"`
	OrderID               string `json:"orderId"`
	TaskID                string `json:"taskId"`
	ExternalCorrelationID string `json:"externalCorrelationId"`
	Outcome               string `json:"outcome"`
	ReasonCode            string `json:"reasonCode,omitempty"`
	OccurredAt            string `json:"occurredAt"`
}

// composeEvent builds (and remembers) a new callback document for an entry; the caller holds
// the ledger lock. The event id derives from the key and a sequence, so it is stable per event.
func (s *Simulator) composeEvent(e *Entry, outcome, reasonCode string) []byte {
	seq := 1
	if e.callbackEvent != nil {
		var prev callbackEvent
		_ = json.Unmarshal(e.callbackEvent, &prev)
		seq = eventSeq(prev.PartnerEventID) + 1
	}
	ev := callbackEvent{
		PartnerEventID: fmt.Sprintf("sim-%s-%d", digest(e.IdempotencyKey)[:24], seq), OrderID: e.OrderID, TaskID: e.TaskID,
		ExternalCorrelationID: e.ExternalCorrID, Outcome: outcome, ReasonCode: reasonCode,
		OccurredAt: s.cfg.Now().UTC().Format(time.RFC3339Nano),
	}
	e.callbackEvent, _ = json.Marshal(ev)
	return e.callbackEvent
}

func eventSeq(id string) int {
	for i := len(id) - 1; i >= 0; i-- {
		if id[i] == '-' {
			n, _ := strconv.Atoi(id[i+1:])
			return n
		}
	}
	return 0
}

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// scheduleCallback posts the entry's callback after delay, retrying like a real partner until
// the OMS takes it, refuses it for good, or the simulator stops.
func (s *Simulator) scheduleCallback(key, outcome, reasonCode string, delay time.Duration) {
	if !s.track() {
		return
	}
	go func() {
		defer s.wg.Done()
		select {
		case <-time.After(delay):
		case <-s.ctx.Done():
			return
		}
		s.ledger.mu.Lock()
		e := s.ledger.entries[key]
		var body []byte
		switch {
		case e != nil && e.callbackEvent != nil:
			body = e.callbackEvent // already sent through /callbacks/deliver: the same event again
		case e != nil:
			body = s.composeEvent(e, outcome, reasonCode)
		}
		s.ledger.mu.Unlock()
		if e == nil {
			return // forgotten by a test meanwhile
		}
		backoff := s.cfg.CallbackBackoff
		for attempt := 1; attempt <= s.cfg.CallbackAttempts; attempt++ {
			status, _ := s.deliver(s.ctx, key, body)
			if status >= 200 && status < 300 || status >= 400 && status < 500 && status != 408 && status != 429 {
				return // taken, or refused for good: a partner does not redeliver a 4xx
			}
			select {
			case <-time.After(backoff):
			case <-s.ctx.Done():
				return
			}
			backoff = min(2*backoff, 5*time.Second)
		}
	}()
}

// deliver posts one signed callback and records it in the ledger.
func (s *Simulator) deliver(ctx context.Context, key string, body []byte) (int, error) {
	s.ledger.mu.Lock()
	e := s.ledger.entries[key]
	if e == nil {
		s.ledger.mu.Unlock()
		return 0, errors.New("unknown idempotency key")
	}
	tenant, target := e.TenantID, e.CallbackURL
	s.ledger.mu.Unlock()
	if target == "" {
		target = adapter.CallbackURL(s.cfg.CallbackBaseURL, e.System)
	}
	var ev callbackEvent
	_ = json.Unmarshal(body, &ev)
	sent := Sent{PartnerEventID: ev.PartnerEventID, At: s.cfg.Now().UTC()}
	status, err := s.post(ctx, target, tenant, body)
	sent.Status = status
	if err != nil {
		sent.Error = err.Error()
	}
	s.ledger.mu.Lock()
	if e := s.ledger.entries[key]; e != nil {
		e.Callbacks = append(e.Callbacks, sent)
	}
	s.ledger.mu.Unlock()
	s.metrics.callbacks.WithLabelValues(e.System, callbackResult(status, err)).Inc()
	if err != nil {
		s.log.Warn("callback not delivered", zap.String("idempotencyKey", key), zap.String("url", target), zap.Error(err))
	}
	return status, err
}

func (s *Simulator) post(ctx context.Context, target, tenant string, body []byte) (int, error) {
	if target == "" {
		return 0, errors.New("no callback URL: the request had none and no callback base URL is configured")
	}
	secret, ok := s.cfg.Secrets[tenant]
	if !ok {
		return 0, fmt.Errorf("no callback secret for tenant %q", tenant)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	callback.SignRequest(req, tenant, secret, body, s.cfg.Now())
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("callback answered HTTP %d", resp.StatusCode)
	}
	return resp.StatusCode, nil
}

func callbackResult(status int, err error) string {
	switch {
	case err == nil:
		return "delivered"
	case status == 0:
		return "unreachable"
	default:
		return "refused"
	}
}
