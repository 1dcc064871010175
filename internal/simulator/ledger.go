package simulator

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/orderfleet/orderfleet/internal/adapter"
)

// Entry is the ledger line of one idempotency key: what was asked, how often, what was answered,
// and how many side effects it caused (never more than one; a test that finds two entries with
// effects for one task and operation has caught a worker using two keys for one effect).
type Entry struct {
	IdempotencyKey    string    `json:"idempotencyKey"`
	TenantID          string    `json:"tenantId"`
	OrderID           string    `json:"orderId"`
	TaskID            string    `json:"taskId"`
	System            string    `json:"system"`
	Operation         string    `json:"operation"`
	RequestHash       string    `json:"requestHash"`
	Deliveries        int       `json:"deliveries"`        // requests received under the key
	TransientFailures int       `json:"transientFailures"` // 503s answered
	Replays           int       `json:"replays"`           // repeated requests answered from the first answer
	Effects           int       `json:"effects"`           // side effects performed: 0 or 1
	Outcome           string    `json:"outcome,omitempty"` // COMPLETED, ACCEPTED, REJECTED; empty while open
	Status            int       `json:"status,omitempty"`  // HTTP status of the answer
	ExternalCorrID    string    `json:"externalCorrelationId,omitempty"`
	ReasonCode        string    `json:"reasonCode,omitempty"`
	CallbackURL       string    `json:"callbackUrl,omitempty"`
	Callbacks         []Sent    `json:"callbacks,omitempty"` // every callback delivery attempt
	FirstSeen         time.Time `json:"firstSeen"`

	body          []byte // the first answer's body, replayed verbatim
	callbackEvent []byte // the callback document, redelivered verbatim
}

// Sent is one attempt to deliver a callback.
type Sent struct {
	PartnerEventID string    `json:"partnerEventId"`
	At             time.Time `json:"at"`
	Status         int       `json:"status,omitempty"` // 0 when no HTTP answer came
	Error          string    `json:"error,omitempty"`
}

// Query selects ledger entries; empty fields match anything.
type Query struct {
	OrderID, TaskID, IdempotencyKey, System, Operation string
}

func (q Query) matches(e *Entry) bool {
	m := func(want, got string) bool { return want == "" || want == got }
	return m(q.OrderID, e.OrderID) && m(q.TaskID, e.TaskID) && m(q.IdempotencyKey, e.IdempotencyKey) &&
		m(q.System, e.System) && m(q.Operation, e.Operation)
}

// ledger is guarded by one mutex: every decision about a key is taken under it, so concurrent
// deliveries of one key cannot both perform the effect.
type ledger struct {
	mu      sync.Mutex
	entries map[string]*Entry
}

func newLedger() *ledger { return &ledger{entries: map[string]*Entry{}} }

// open returns the key's entry, creating it from the first request.
func (l *ledger) open(key, system, operation string, req adapter.WireRequest, now time.Time) *Entry {
	e, ok := l.entries[key]
	if !ok {
		e = &Entry{IdempotencyKey: key, TenantID: req.TenantID, OrderID: req.OrderID, TaskID: req.TaskID,
			System: system, Operation: operation, RequestHash: req.RequestHash(), CallbackURL: req.CallbackURL, FirstSeen: now}
		l.entries[key] = e
	}
	return e
}

// Find copies the matching entries, oldest first.
func (l *ledger) Find(q Query) []Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Entry
	for _, e := range l.entries {
		if q.matches(e) {
			c := *e
			c.Callbacks = slices.Clone(e.Callbacks)
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Entry) int {
		if c := a.FirstSeen.Compare(b.FirstSeen); c != 0 {
			return c
		}
		return strings.Compare(a.IdempotencyKey, b.IdempotencyKey)
	})
	return out
}

// Forget drops the matching entries (a test cleaning up after itself); returns how many.
func (l *ledger) Forget(q Query) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for k, e := range l.entries {
		if q.matches(e) {
			delete(l.entries, k)
			n++
		}
	}
	return n
}

// TotalEffects sums the effects of entries, the number a "no duplicate effect" test asserts.
func TotalEffects(entries []Entry) int {
	n := 0
	for _, e := range entries {
		n += e.Effects
	}
	return n
}
