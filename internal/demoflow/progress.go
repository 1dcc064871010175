package demoflow

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/omsapi"
	"github.com/orderfleet/orderfleet/internal/omsclient"
)

// DoneTasks counts tasks that need no more work, by the domain's own rule.
func DoneTasks(tasks []omsapi.Task) int {
	n := 0
	for _, t := range tasks {
		if domain.TaskStatus(t.Status).Done() {
			n++
		}
	}
	return n
}

// ProgressBar renders done/total as a fixed-width bar for progress lines.
func ProgressBar(done, total int) string {
	const width = 20
	if total <= 0 {
		total = 1
	}
	n := min(done*width/total, width)
	return "[" + strings.Repeat("#", n) + strings.Repeat(".", width-n) + fmt.Sprintf("] %d/%d tasks done", done, total)
}

// Follow polls the order until done says so, reporting each change of status or tasks done.
// what names the awaited condition in the error when ctx ends first.
func Follow(ctx context.Context, api *omsclient.Client, orderID, what string, progress func(string),
	done func(omsapi.Order, []omsapi.Task) bool) (omsapi.Order, error) {
	last := ""
	for {
		o, err := api.Order(ctx, orderID)
		if err != nil {
			return o, err
		}
		tasks, err := api.Tasks(ctx, orderID, "")
		if err != nil {
			return o, err
		}
		if line := fmt.Sprintf("%-20s %s%s", o.Status, ProgressBar(DoneTasks(tasks), len(tasks)), otherStates(tasks)); line != last && progress != nil {
			progress(line)
			last = line
		}
		if done(o, tasks) {
			return o, nil
		}
		select {
		case <-ctx.Done():
			return o, fmt.Errorf("waited for %s; order %s is still %s (is the fleet running? logs in .stack/logs)", what, orderID, o.Status)
		case <-time.After(400 * time.Millisecond):
		}
	}
}

// EndState is the done condition of a follow that waits for the order to finish.
func EndState(o omsapi.Order, _ []omsapi.Task) bool {
	return domain.OrderStatus(o.Status).IsEndState()
}

// otherStates names how many tasks are in flight or settled without being done, so a cancelled
// order's line says "2 compensated" instead of only "0 done".
func otherStates(tasks []omsapi.Task) string {
	counts := map[string]int{}
	for _, t := range tasks {
		st := domain.TaskStatus(t.Status)
		if !st.Done() && st != domain.TaskPending && st != domain.TaskReady {
			counts[strings.ToLower(t.Status)]++
		}
	}
	if len(counts) == 0 {
		return ""
	}
	parts := make([]string, 0, len(counts))
	for st, n := range counts {
		parts = append(parts, fmt.Sprintf("%d %s", n, st))
	}
	sort.Strings(parts)
	return " (" + strings.Join(parts, ", ") + ")"
}
