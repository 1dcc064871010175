package correlation

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// Items queued while a batch runs go out together; a batch that fails is retried item by item, so
// only the bad item sees the error.
func TestGroupCommitBatchesAndIsolatesFailures(t *testing.T) {
	var mu sync.Mutex
	var sizes []int
	release := make(chan struct{})
	g := newGroupCommit(8, time.Millisecond, time.Second, func(_ context.Context, items []string) error {
		mu.Lock()
		sizes = append(sizes, len(items))
		mu.Unlock()
		if items[0] == "first" {
			<-release // hold the first batch so the others queue up behind it
		}
		for _, it := range items {
			if it == "bad" {
				return errors.New("bad item")
			}
		}
		return nil
	})
	stop := make(chan struct{})
	go g.run(stop)
	defer close(stop)

	results := make(chan error, 1)
	go func() { results <- g.do(context.Background(), "first") }()
	time.Sleep(20 * time.Millisecond)
	items := []string{"a", "b", "bad", "c"}
	errs := make([]error, len(items))
	var wg sync.WaitGroup
	for i, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = g.do(context.Background(), it)
		}()
	}
	time.Sleep(20 * time.Millisecond)
	close(release)
	wg.Wait()
	if err := <-results; err != nil {
		t.Fatalf("first: %v", err)
	}
	for i, it := range items {
		if (errs[i] != nil) != (it == "bad") {
			t.Fatalf("item %s: error %v", it, errs[i])
		}
	}
	mu.Lock()
	defer mu.Unlock()
	// first alone, then the four together (failing), then each of the four alone.
	if len(sizes) != 6 || sizes[0] != 1 || sizes[1] != 4 {
		t.Fatalf("batch sizes %v, want [1 4 1 1 1 1]", sizes)
	}
}
