package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/orderfleet/orderfleet/internal/demoflow"
	"github.com/orderfleet/orderfleet/internal/omsclient"
)

// followOrder follows an order until it reaches an end state, with a progress line per change.
func followOrder(ctx context.Context, api *omsclient.Client, orderID string, progress func(string)) (omsclient.Order, error) {
	return demoflow.Follow(ctx, api, orderID, "an end state", func(line string) { progress("  " + line) }, demoflow.EndState)
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
