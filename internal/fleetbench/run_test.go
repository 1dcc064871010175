package fleetbench

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"
)

// batch is one measured set of orders on one side.
type batch struct {
	ids       []string
	latencies []time.Duration // accept → completed, per order
	span      time.Duration   // first accept → last completion
}

func (r batch) rate() float64 { return float64(len(r.ids)) / r.span.Seconds() }

func (r batch) percentile(p float64) time.Duration {
	l := append([]time.Duration(nil), r.latencies...)
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	i := int(p*float64(len(l))+0.5) - 1
	return l[max(0, min(i, len(l)-1))]
}

// runBurst starts every order at once, inFlight at a time, and waits until all are completed.
func runBurst(ctx context.Context, s side, products []string, inFlight int) (batch, error) {
	ids := make([]string, len(products))
	errs := make(chan error, len(products))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < inFlight; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				id, err := s.start(ctx, products[i])
				if err != nil {
					errs <- fmt.Errorf("%s: start %s: %w", s.name(), products[i], err)
					continue
				}
				ids[i] = id
			}
		}()
	}
	for i := range products {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return batch{}, err
	}
	return finish(ctx, s, ids)
}

// runArrivals starts one order every interval for the duration, whatever the side's speed, and
// waits until all are completed.
func runArrivals(ctx context.Context, s side, product string, interval, duration time.Duration) (batch, error) {
	n := int(duration / interval)
	ids := make([]string, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id, err := s.start(ctx, product)
			if err != nil {
				errs <- fmt.Errorf("%s: start %s: %w", s.name(), product, err)
				return
			}
			ids[i] = id
		}()
		<-tick.C
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return batch{}, err
	}
	return finish(ctx, s, ids)
}

// finish waits for every order to complete and reads its times from the database.
func finish(ctx context.Context, s side, ids []string) (batch, error) {
	for {
		done, failed, err := s.progress(ctx, ids)
		if err != nil {
			return batch{}, err
		}
		if failed > 0 {
			return batch{}, fmt.Errorf("%s: %d of %d orders ended other than COMPLETED", s.name(), failed, len(ids))
		}
		if done == len(ids) {
			break
		}
		select {
		case <-ctx.Done():
			return batch{}, fmt.Errorf("%s: %d of %d orders completed: %w", s.name(), done, len(ids), ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	times, err := s.times(ctx, ids)
	if err != nil {
		return batch{}, err
	}
	r := batch{ids: ids}
	var first, last time.Time
	for i, t := range times {
		r.latencies = append(r.latencies, t.completed.Sub(t.accepted))
		if i == 0 || t.accepted.Before(first) {
			first = t.accepted
		}
		if t.completed.After(last) {
			last = t.completed
		}
	}
	r.span = last.Sub(first)
	return r, nil
}

// repeat is n copies of product, or the products in turn for n orders.
func repeat(n int, products ...string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = products[i%len(products)]
	}
	return out
}
