package cli

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/orderfleet/orderfleet/internal/demoflow"
	"github.com/orderfleet/orderfleet/internal/omsapi"
	"github.com/orderfleet/orderfleet/internal/omsclient"
)

// followOrder follows an order until it reaches an end state, with a progress line per change.
func followOrder(ctx context.Context, api *omsclient.Client, orderID string, progress func(string)) (omsapi.Order, error) {
	return demoflow.Follow(ctx, api, orderID, "an end state", func(line string) { progress("  " + line) }, demoflow.EndState)
}

func stderrProgress(c *cobra.Command) func(string) {
	return func(line string) { fmt.Fprintln(c.ErrOrStderr(), line) }
}

// summarize picks the one or two details of a timeline entry worth a table cell.
func summarize(e omsapi.TimelineEntry) string {
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
