package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/httpapi"
	"github.com/orderfleet/orderfleet/internal/metrictest"
)

const week = 7 * 24 * time.Hour

// keyAged stores an order under key, as if it had been posted age ago.
func (f *fixture) keyAged(key string, age time.Duration) {
	f.t.Helper()
	f.setClock(time.Now().Add(-age))
	expect(f.t, f.req(http.MethodPost, "/api/v1/orders", tokenA, bundleOrder("cust-"+key), "Idempotency-Key", key), http.StatusCreated)
}

func (f *fixture) keys() string {
	f.t.Helper()
	rows, err := f.pool.Query(context.Background(), `select idempotency_key from api_idempotency order by created_at`)
	must(f.t, err)
	var keys []string
	for rows.Next() {
		var k string
		must(f.t, rows.Scan(&k))
		keys = append(keys, k)
	}
	must(f.t, rows.Err())
	return strings.Join(keys, ",")
}

func TestKeyExpiryDeletesOnlyKeysPastTheRetentionOldestFirst(t *testing.T) {
	f := newFixture(t)
	f.keyAged("oldest", week+2*time.Hour)
	f.keyAged("older", week+time.Hour)
	f.keyAged("fresh", week-time.Hour)
	reg := prometheus.NewRegistry()
	expiry, err := httpapi.NewKeyExpiry(f.pool, week, time.Minute, zap.NewNop(), reg)
	must(t, err)
	expiry.SetChunk(1)
	for i, want := range []struct {
		deleted int
		left    string
	}{{1, "older,fresh"}, {1, "fresh"}, {0, "fresh"}} {
		n, err := expiry.ExpireChunk(context.Background())
		must(t, err)
		if n != want.deleted || f.keys() != want.left {
			t.Fatalf("chunk %d deleted %d, left %q; want %d, %q", i, n, f.keys(), want.deleted, want.left)
		}
	}
	if got := metrictest.Sum(t, reg, "orderfleet_api_idempotency_keys_expired_total"); got != 2 {
		t.Errorf("expired counter %v, want 2", got)
	}
	// An expired key is free again: the same request runs anew instead of being replayed.
	f.setClock(time.Now())
	again := f.req(http.MethodPost, "/api/v1/orders", tokenA, bundleOrder("cust-oldest"), "Idempotency-Key", "oldest")
	expect(t, again, http.StatusCreated)
	if again.header.Get("Idempotent-Replayed") != "" || f.rows("customer_order") != 4 {
		t.Fatalf("a request with an expired key was replayed (%d orders)", f.rows("customer_order"))
	}
}

func TestKeyExpiryWithoutRetentionKeepsEveryKey(t *testing.T) {
	f := newFixture(t)
	f.keyAged("ancient", 400*24*time.Hour)
	expiry, err := httpapi.NewKeyExpiry(f.pool, 0, time.Millisecond, zap.NewNop(), nil)
	must(t, err)
	n, err := expiry.ExpireChunk(context.Background())
	must(t, err)
	returned := make(chan struct{})
	go func() { defer close(returned); expiry.Run(context.Background()) }()
	select {
	case <-returned: // nothing to do, so no loop to run
	case <-time.After(5 * time.Second):
		t.Fatal("Run without a retention did not return")
	}
	if n != 0 || f.keys() != "ancient" {
		t.Fatalf("deleted %d, left %q", n, f.keys())
	}
}

func TestKeyExpiryRunsUntilStopped(t *testing.T) {
	f := newFixture(t)
	for _, k := range []string{"a", "b", "c"} {
		f.keyAged(k, 2*week)
	}
	f.keyAged("kept", time.Hour)
	expiry, err := httpapi.NewKeyExpiry(f.pool, week, 20*time.Millisecond, zap.NewNop(), nil)
	must(t, err)
	expiry.SetChunk(2)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); expiry.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for f.keys() != "kept" {
		if time.Now().After(deadline) {
			t.Fatalf("keys left: %q", f.keys())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

func TestSettingsRefuseANegativeIdempotencyRetention(t *testing.T) {
	t.Setenv("ORDERFLEET_API_TOKENS", "tok-0123456789abcdef=tenant-a")
	t.Setenv("ORDERFLEET_IDEMPOTENCY_RETENTION", "-1h")
	st, set := httpapi.NewSettings()
	must(t, set.Parse(nil, &bytes.Buffer{}))
	if _, err := st.Config(); err == nil || !strings.Contains(err.Error(), "idempotency retention") {
		t.Fatalf("negative retention: %v", err)
	}
	must(t, os.Unsetenv("ORDERFLEET_IDEMPOTENCY_RETENTION")) // t.Setenv puts it back afterwards
	st, set = httpapi.NewSettings()
	must(t, set.Parse(nil, &bytes.Buffer{}))
	if _, err := st.Config(); err != nil || st.IdempotencyRetention != week {
		t.Fatalf("default retention %s: %v", st.IdempotencyRetention, err)
	}
}
