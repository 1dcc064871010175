package correlation

import (
	"context"
	"time"
)

// groupCommit gathers the inbox work (look-ups, commits) of the records the workers handle at the
// same time into one statement: while a batch runs the next one queues up, so batches grow with the
// load and a lone record goes at once.
type groupCommit[T any] struct {
	queue   chan groupCall[T]
	max     int
	linger  time.Duration // how long a batch short of max waits for more items
	timeout time.Duration
	// write handles items in one statement; an error fails them all, and they are then retried one
	// by one, so one bad record cannot hold back the others.
	write func(ctx context.Context, items []T) error
}

type groupCall[T any] struct {
	item T
	done chan error
}

func newGroupCommit[T any](max int, linger, timeout time.Duration, write func(context.Context, []T) error) *groupCommit[T] {
	return &groupCommit[T]{queue: make(chan groupCall[T]), max: max, linger: linger, timeout: timeout, write: write}
}

// do queues item and waits until its batch is done.
func (g *groupCommit[T]) do(ctx context.Context, item T) error {
	call := groupCall[T]{item: item, done: make(chan error, 1)}
	select {
	case g.queue <- call:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-call.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// run handles batches until stop is closed; callers must be finished by then.
func (g *groupCommit[T]) run(stop <-chan struct{}) {
	for {
		var calls []groupCall[T]
		select {
		case call := <-g.queue:
			calls = append(calls, call)
		case <-stop:
			return
		}
		g.flush(g.gather(calls))
	}
}

// gather adds the items queued behind the first, waiting up to linger for more.
func (g *groupCommit[T]) gather(calls []groupCall[T]) []groupCall[T] {
	var deadline <-chan time.Time
	if g.linger > 0 {
		t := time.NewTimer(g.linger)
		defer t.Stop()
		deadline = t.C
	}
	for len(calls) < g.max {
		select {
		case call := <-g.queue:
			calls = append(calls, call)
			continue
		default:
		}
		if deadline == nil {
			break
		}
		select {
		case call := <-g.queue:
			calls = append(calls, call)
		case <-deadline:
			return calls
		}
	}
	return calls
}

func (g *groupCommit[T]) flush(calls []groupCall[T]) {
	ctx, cancel := context.WithTimeout(context.Background(), g.timeout)
	defer cancel()
	items := make([]T, len(calls))
	for i, c := range calls {
		items[i] = c.item
	}
	err := g.write(ctx, items)
	if err == nil || len(calls) == 1 {
		for _, c := range calls {
			c.done <- err
		}
		return
	}
	for i, c := range calls {
		c.done <- g.write(ctx, items[i:i+1])
	}
}
