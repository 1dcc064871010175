package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/orderfleet/orderfleet/deploy/demo"
	"github.com/orderfleet/orderfleet/internal/app"
	"github.com/orderfleet/orderfleet/internal/demoflow"
	"github.com/orderfleet/orderfleet/internal/engineapi"
	"github.com/orderfleet/orderfleet/internal/simulator"
)

func newDemoCmd(opts *Options) *cobra.Command {
	var flows []string
	var perFlow time.Duration
	var simulatorURL, customer string
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run one order per golden flow through the running fleet and show where to see each",
		Long: `demo runs the golden flows of the fulfillment spec through the OMS API, one order each, from the
sample orders in deploy/demo/orders:

  add-bundle         ADD fiber + router + security add-on + cloud backup: parallel tasks, async
                     provisioning and shipment answered through signed partner callbacks
  modify             MODIFY the cloud backup the bundle installed
  disconnect         DISCONNECT the security add-on the bundle installed
  manual-review      premium support waits for a person; the demo records the decision
  timeout-repair     the provisioning partner never answers; the demo moves the engine clock past
                     the timeout, the order falls out, and the demo repairs the case with RETRY
  cancel-compensate  the customer cancels while a review waits; the reserved storage is released
  reject-repair      the inventory partner rejects the reservation; the demo repairs with RETRY
  compensation-failure
                     the partner refuses to release storage after a cancellation; compensation
                     fails into fallout and the demo closes the order by hand (MANUAL_CLOSED)

It prints live progress on stderr and ends with a summary table and, per flow, the fleetctl
commands that show the order's instance and incidents. The stack and the fleet must be running: 'make run' does all of it.
The timeout flow needs the engine's controlled clock (the local stack turns it on).`,
		Example: `  fleetctl demo
  fleetctl demo --flow manual-review --flow cancel-compensate
  fleetctl demo -o json | jq '.[] | {flow, orderStatus}'`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			selected, err := demoflow.FlowsNamed(flows)
			if err != nil {
				return err
			}
			pool, err := app.OpenDB(c.Context(), opts.DatabaseURL)
			if err != nil {
				return err
			}
			defer pool.Close()
			if customer == "" {
				customer = fmt.Sprintf("demo-customer-%d", time.Now().Unix())
			}
			clock := engineapi.NewClock(opts.ManagementURL)
			env := &demoflow.Env{
				API: opts.api(), Simulator: simulator.NewClient(simulatorURL),
				Engine: opts.engineAPI(), DB: pool, Orders: demo.Orders, CustomerID: customer,
				MoveClock: func(ctx context.Context, d time.Duration) error { return clock.Add(ctx, d) },
				Progress:  stderrProgress(c),
			}
			fmt.Fprintf(c.ErrOrStderr(), "running %d golden flows for customer %s…\n", len(selected), customer)
			results := demoflow.RunFlows(c.Context(), env, selected, perFlow)
			if err := opts.emit(c.OutOrStdout(), results, func(w *tabwriter.Writer) { demoTable(w, results) }); err != nil {
				return err
			}
			for _, r := range results {
				if !r.OK() {
					return fmt.Errorf("flow %s did not end as expected: %s", r.Flow, orDash(r.Error))
				}
			}
			if len(results) < len(selected) {
				return fmt.Errorf("stopped after %d of %d flows", len(results), len(selected))
			}
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&flows, "flow", nil, "run only these flows (repeatable; default: all, in order)")
	cmd.Flags().DurationVar(&perFlow, "timeout", 3*time.Minute, "give up on a flow after this long")
	cmd.Flags().StringVar(&simulatorURL, "simulator-url", envOr("ORDERFLEET_ADAPTER_URL", "http://127.0.0.1:9180"),
		"adapter simulator, whose partner scenarios the timeout flow sets (env ORDERFLEET_ADAPTER_URL)")
	cmd.Flags().StringVar(&customer, "customer", "", "customer id for the run's orders (default: a new one per run)")
	return cmd
}

func demoTable(w *tabwriter.Writer, results []demoflow.Result) {
	row(w, "FLOW", "ORDER", "END STATE", "WANTED", "TASKS", "DURATION", "OK")
	for _, r := range results {
		ok := "yes"
		if !r.OK() {
			ok = "NO"
		}
		row(w, r.Flow, r.OrderID, orDash(r.OrderStatus), r.WantStatus, r.Tasks, fmt.Sprintf("%.1fs", r.DurationSeconds), ok)
	}
	_ = w.Flush()
	fmt.Fprintln(w, "\nEach order's instance and incidents:")
	for _, r := range results {
		if len(r.Inspect) == 0 {
			fmt.Fprintf(w, "  %-20s -\n", r.Flow)
			continue
		}
		fmt.Fprintf(w, "  %-20s %s\n", r.Flow, strings.Join(r.Inspect, "    "))
	}
}
