package zeebe_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/orderfleet/orderfleet/internal/zeebe"
)

func TestSendRetryingRepeatsOnlyBackpressure(t *testing.T) {
	t.Parallel()
	overloaded := status.Error(codes.ResourceExhausted, "backpressure")
	rejected := status.Error(codes.InvalidArgument, "bad command")
	for _, tc := range []struct {
		name      string
		answers   []error
		wantCalls int
		wantErr   error
	}{
		{"succeeds at once", []error{nil}, 1, nil},
		{"succeeds after backpressure", []error{overloaded, status.Error(codes.DeadlineExceeded, "gateway timeout"), nil}, 3, nil},
		{"a rejection is not repeated", []error{rejected, nil}, 1, rejected},
		{"gives up after the attempts", []error{overloaded, overloaded, overloaded, nil}, 3, overloaded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			err := zeebe.SendRetrying(context.Background(), 3, time.Second, func(ctx context.Context) error {
				if _, ok := ctx.Deadline(); !ok {
					t.Error("a call without its own deadline")
				}
				calls++
				return tc.answers[calls-1]
			})
			if calls != tc.wantCalls || !errors.Is(err, tc.wantErr) {
				t.Fatalf("calls %d, error %v; want %d, %v", calls, err, tc.wantCalls, tc.wantErr)
			}
		})
	}
}

func TestSendRetryingStopsWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := zeebe.SendRetrying(ctx, 10, time.Second, func(context.Context) error {
		calls++
		cancel()
		return status.Error(codes.Unavailable, "broker gone")
	})
	if calls != 1 || status.Code(err) != codes.Unavailable {
		t.Fatalf("calls %d, error %v; want one call and its error", calls, err)
	}
}
