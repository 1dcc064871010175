package store

import (
	"context"
	"testing"
	"time"
)

// The once-a-second re-read of the shared clock is the safety net for a clock notification this
// process missed (its listener was reconnecting). It must still run while other processes keep
// the listener busy with job notifications.
func TestClockRereadWhileJobNotificationsFlow(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pool := newTestDatabase(t)
	b, err := New(ctx, Config{Pool: pool})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { b.RunBackground(ctx); close(done) }()
	defer func() { cancel(); <-done; b.Wait() }()

	flood := make(chan struct{})
	go func() {
		defer close(flood)
		for ctx.Err() == nil {
			_, _ = pool.Exec(ctx, `SELECT pg_notify('engine_jobs', 'flood')`)
			sleep(ctx, 100*time.Millisecond)
		}
	}()
	defer func() { cancel(); <-flood }()
	time.Sleep(500 * time.Millisecond)

	// Another process pinned the clock; its notification never reached b.
	pin := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
	if _, err := pool.Exec(ctx, `UPDATE engine_clock SET pinned_ms = $1 WHERE id = 1`, pin.UnixMilli()); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(4 * time.Second)
	for !b.Clock().Now().Equal(pin) {
		if time.Now().After(deadline) {
			t.Fatalf("4 s after the shared clock was pinned at %v this process still reads %v", pin, b.Clock().Now())
		}
		time.Sleep(50 * time.Millisecond)
	}
}
