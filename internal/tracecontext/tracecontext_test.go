package tracecontext_test

import (
	"context"
	"testing"

	"github.com/orderfleet/orderfleet/internal/tracecontext"
)

func TestParseAcceptsOnlyAWellFormedVersion00Header(t *testing.T) {
	const good = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{good, true},
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", true},
		{"01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false}, // another version
		{"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", false}, // upper case
		{"00-00000000000000000000000000000000-00f067aa0ba902b7-01", false}, // zero trace id
		{"00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", false}, // zero parent id
		{"00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01", false},
		{"00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", false}, // short
		{good + "-", false},
		{"", false},
	} {
		got, ok := tracecontext.Parse(tc.in)
		if ok != tc.ok || (ok && got != tc.in) {
			t.Errorf("Parse(%q) = %q, %v; want ok %v", tc.in, got, ok, tc.ok)
		}
	}
}

func TestContextCarriesTheTraceparent(t *testing.T) {
	if got := tracecontext.From(context.Background()); got != "" {
		t.Fatalf("empty context carries %q", got)
	}
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	if got := tracecontext.From(tracecontext.With(context.Background(), tp)); got != tp {
		t.Fatalf("From(With(tp)) = %q", got)
	}
}
