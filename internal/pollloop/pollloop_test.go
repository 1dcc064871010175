package pollloop

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/zap"
)

// A failing batch is retried (not dropped) and a busy one runs again at once, until ctx ends.
func TestRunRetriesFailuresAndStopsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var calls []string
	batch := func(context.Context) (int, error) {
		switch len(calls) {
		case 0:
			calls = append(calls, "fail")
			return 0, errors.New("database down")
		case 1, 2:
			calls = append(calls, "busy")
			return 5, nil
		default:
			calls = append(calls, "idle")
			cancel()
			return 0, nil
		}
	}
	start := time.Now()
	if err := Run(ctx, zap.NewNop(), "test batch", time.Hour, time.Second, batch); err != nil {
		t.Fatal(err)
	}
	want := []string{"fail", "busy", "busy", "idle"}
	if len(calls) != len(want) {
		t.Fatalf("calls = %v, want %v", calls, want)
	}
	for i := range want {
		if calls[i] != want[i] {
			t.Fatalf("calls = %v, want %v", calls, want)
		}
	}
	// One backoff (500ms for the first failure) and no idle wait: the idle pause ends with ctx.
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Fatalf("Run took %v: it should return as soon as ctx ends", elapsed)
	}
}
