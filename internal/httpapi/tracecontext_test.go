package httpapi_test

import (
	"net/http"
	"testing"
)

// A request's traceparent reaches every outbox event the request records; a malformed one is
// ignored rather than refused.
func TestEventsCarryTheRequestsTraceparent(t *testing.T) {
	f := newFixture(t)
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	traced := expect(t, f.req(http.MethodPost, "/api/v1/orders", tokenA, bundleOrder("cust-traced"), "traceparent", tp), http.StatusCreated)
	untraced := expect(t, f.req(http.MethodPost, "/api/v1/orders", tokenA, bundleOrder("cust-malformed"), "traceparent", "00-not-a-trace"), http.StatusCreated)
	events := func(orderID any) (all, withTrace int) {
		must(t, f.pool.QueryRow(t.Context(), `select count(*), count(*) filter (where traceparent = $2)
			from outbox_event where message_key = 'tenant-a:' || $1`, orderID, tp).Scan(&all, &withTrace))
		return all, withTrace
	}
	if all, withTrace := events(traced["orderId"]); all == 0 || withTrace != all {
		t.Fatalf("%d of %d events of the traced order carry its traceparent", withTrace, all)
	}
	if n := f.count(`select count(*) from outbox_event where message_key = 'tenant-a:' || $1 and traceparent is not null`, untraced["orderId"]); n != 0 {
		t.Fatalf("%d events carry a malformed traceparent", n)
	}
}
