package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/orderfleet/orderfleet/internal/app"
	"github.com/orderfleet/orderfleet/internal/camunda"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/fulfillment"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

// DemoResult is the outcome of one demo order.
type DemoResult struct {
	TenantID           string  `json:"tenantId"`
	OrderID            string  `json:"orderId"`
	Flow               string  `json:"flow"`
	OrderStatus        string  `json:"orderStatus"`
	Tasks              int     `json:"tasks"`
	ProcessInstanceKey string  `json:"processInstanceKey"`
	EngineState        string  `json:"engineState"`
	OperateURL         string  `json:"operateUrl"`
	DurationSeconds    float64 `json:"durationSeconds"`
}

func newDemoCmd(opts *Options) *cobra.Command {
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Drive a demo order through the running fleet and the engine, then show where to see it",
		Long: `demo captures an order (a CLOUD_BACKUP plan of three synchronous tasks), waits while the
fleet executes it, and prints its final state in PostgreSQL, the engine's state from Operate,
and the Operate URL of its process instance. The stack and the fleet must be running: 'make run'
does all of it.`,
		Example: "  fleetctl demo\n  fleetctl demo -o json --timeout 3m",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(c.Context(), timeout)
			defer cancel()
			res, err := runDemo(ctx, opts, func(line string) { fmt.Fprintln(c.ErrOrStderr(), line) })
			if err != nil {
				return err
			}
			if opts.Output == "json" {
				return json.NewEncoder(c.OutOrStdout()).Encode([]DemoResult{res})
			}
			printDemoTable(c, []DemoResult{res})
			return nil
		},
	}
	cmd.Flags().DurationVar(&timeout, "timeout", 3*time.Minute, "give up waiting after this long")
	return cmd
}

func runDemo(ctx context.Context, opts *Options, progress func(string)) (DemoResult, error) {
	pool, err := app.OpenDB(ctx, opts.DatabaseURL)
	if err != nil {
		return DemoResult{}, err
	}
	defer pool.Close()
	store := postgres.New(pool)
	catalog, err := domain.LoadCatalog()
	if err != nil {
		return DemoResult{}, err
	}
	started := time.Now()
	in := domain.NewOrderInput{
		TenantID: "demo-tenant", CustomerID: "demo-customer-1", CompletionPolicy: domain.CompletionRequiresBillingActive,
		Items: []domain.ItemInput{{LineNo: 1, ProductCode: "CLOUD_BACKUP", Action: domain.ActionAdd, Quantity: 1,
			Attributes: map[string]string{"storageGb": "500"}}},
	}
	cause := domain.Cause{Actor: domain.Actor{Type: domain.ActorUser, ID: "fleetctl-demo"}, Reason: "demo order"}
	order, err := fulfillment.CaptureOrder(ctx, store, catalog, in, cause)
	if err != nil {
		return DemoResult{}, fmt.Errorf("capture demo order: %w", err)
	}
	progress(fmt.Sprintf("captured order %s with %d tasks; waiting for the fleet…", order.OrderID, order.TaskCount))
	res := DemoResult{TenantID: order.TenantID, OrderID: order.OrderID, Flow: "ADD cloud backup (3 sync tasks)", Tasks: order.TaskCount}

	status, err := waitForEndState(ctx, store, order, progress)
	res.OrderStatus = string(status)
	if err != nil {
		return res, err
	}
	if err := pool.QueryRow(ctx, `select process_instance_key from order_workflow_ref where tenant_id = $1 and order_id = $2`,
		order.TenantID, order.OrderID).Scan(&res.ProcessInstanceKey); err != nil {
		return res, fmt.Errorf("read the order's process instance: %w", err)
	}
	res.OperateURL = opts.OperateURL + "/operate/processes/" + res.ProcessInstanceKey
	progress("order " + string(status) + " in the OMS; asking Operate for the instance (it imports a few seconds behind)…")
	key, _ := strconv.ParseInt(res.ProcessInstanceKey, 10, 64)
	operate := camunda.NewOperate(camunda.NewSession(opts.OperateURL, "demo", "demo"))
	pi, err := operate.WaitForState(ctx, key, "COMPLETED")
	res.EngineState = pi.State
	res.DurationSeconds = time.Since(started).Round(100 * time.Millisecond).Seconds()
	return res, err
}

// waitForEndState polls the OMS, printing each status change, until the order reaches an end state.
func waitForEndState(ctx context.Context, store *postgres.Store, order fulfillment.CapturedOrder, progress func(string)) (domain.OrderStatus, error) {
	var last domain.OrderStatus
	lastDone := -1
	for {
		o, err := store.GetOrder(ctx, order.TenantID, order.OrderID)
		if err != nil {
			return last, err
		}
		p, err := store.GetPlan(ctx, order.TenantID, order.FulfillmentPlanID)
		if err != nil {
			return last, err
		}
		done := 0
		for _, t := range p.Tasks {
			if t.Status.Done() {
				done++
			}
		}
		if o.Status != last || done != lastDone {
			progress(fmt.Sprintf("  order %-20s tasks done %d/%d", o.Status, done, len(p.Tasks)))
			last, lastDone = o.Status, done
		}
		if o.Status.IsEndState() {
			return o.Status, nil
		}
		select {
		case <-ctx.Done():
			return last, fmt.Errorf("order %s still %s: is the fleet running? (make fleet-up; logs in .stack/logs)", order.OrderID, last)
		case <-time.After(300 * time.Millisecond):
		}
	}
}

func printDemoTable(c *cobra.Command, results []DemoResult) {
	out := c.OutOrStdout()
	fmt.Fprintf(out, "\n%-36s  %-32s  %-12s  %-5s  %-9s  %s\n", "ORDER", "FLOW", "END STATE", "TASKS", "DURATION", "ENGINE")
	for _, r := range results {
		fmt.Fprintf(out, "%-36s  %-32s  %-12s  %-5d  %-9s  %s\n", r.OrderID, r.Flow, r.OrderStatus, r.Tasks,
			fmt.Sprintf("%.1fs", r.DurationSeconds), r.EngineState)
	}
	fmt.Fprintln(out, "\nSee each instance in Operate (login demo/demo):")
	for _, r := range results {
		fmt.Fprintf(out, "  %s\n", r.OperateURL)
	}
}
