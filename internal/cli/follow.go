package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/omsclient"
)

// followOrder polls the API until the order reaches an end state or until (when set) stop says so,
// reporting each change of status or of tasks done.
func followOrder(ctx context.Context, api *omsclient.Client, orderID string, progress func(string)) (omsclient.Order, error) {
	return followUntil(ctx, api, orderID, progress, func(o omsclient.Order, _ []omsclient.Task) bool { return domain.OrderStatus(o.Status).IsEndState() })
}

// followUntil is followOrder with the caller's stop condition.
func followUntil(ctx context.Context, api *omsclient.Client, orderID string, progress func(string),
	stop func(omsclient.Order, []omsclient.Task) bool) (omsclient.Order, error) {
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
		if line := fmt.Sprintf("  %-20s %s", o.Status, progressBar(doneTasks(tasks), len(tasks))); line != last {
			progress(line)
			last = line
		}
		if stop(o, tasks) {
			return o, nil
		}
		select {
		case <-ctx.Done():
			return o, fmt.Errorf("order %s is still %s: is the fleet running? (make fleet-up; logs in .stack/logs)", orderID, o.Status)
		case <-time.After(400 * time.Millisecond):
		}
	}
}

// doneTasks counts tasks that need no more work (the same set the plan treats as done).
func doneTasks(tasks []omsclient.Task) int {
	n := 0
	for _, t := range tasks {
		if domain.TaskStatus(t.Status).Done() {
			n++
		}
	}
	return n
}

func stderrProgress(c *cobra.Command) func(string) {
	return func(line string) { fmt.Fprintln(c.ErrOrStderr(), line) }
}

func contextWithTimeout(c *cobra.Command, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.Context(), d)
}

func readAll(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, 4<<20))
	if err != nil {
		return nil, fmt.Errorf("read the order document: %w", err)
	}
	return b, nil
}

// summarize picks the one or two details of a timeline entry worth a table cell.
func summarize(e omsclient.TimelineEntry) string {
	var d map[string]any
	_ = json.Unmarshal(e.Details, &d)
	str := func(k string) string { s, _ := d[k].(string); return s }
	switch {
	case str("stateBefore") != "" || str("stateAfter") != "":
		return str("stateBefore") + " → " + str("stateAfter") + reasonSuffix(str("reasonCode"))
	case e.Source == "taskAttempt":
		return fmt.Sprintf("attempt %v %s%s", d["attemptNo"], str("purpose"), reasonSuffix(str("failureCode")))
	case e.Source == "callback":
		return str("externalSystem") + " " + str("callbackId")
	}
	return ""
}

func reasonSuffix(code string) string {
	if code == "" {
		return ""
	}
	return " (" + code + ")"
}
