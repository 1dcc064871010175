package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/app"
	"github.com/orderfleet/orderfleet/internal/reconcile"
)

func newReconcileCmd(opts *Options) *cobra.Command {
	var list bool
	var timeout time.Duration
	cfg := reconcile.Config{}
	cmd := &cobra.Command{
		Use:   "reconcile",
		Short: "Run one reconciliation pass, or list the open findings",
		Long: `reconcile runs one pass of the reconciler: it compares the OMS with the engine (through its read API)
and the outbox, records each divergence in reconciliation_finding, marks resolved the findings no
longer seen, and prints what this pass found. Kinds: ORDER_WITHOUT_PROCESS,
PROCESS_RUNNING_FOR_ENDED_ORDER, PROCESS_WAITING_FOR_CANCELLED_ORDER, FAILED_TASK_NOT_IN_REPAIR,
TASK_STUCK_PAST_TIMEOUT, OUTBOX_UNPUBLISHED_TOO_LONG.

With --list it only reads the open findings (what the running reconciler binary recorded) and
needs no engine. The exit code is 1 when a check could not finish; what it saw is still printed.`,
		Example: `  fleetctl reconcile
  fleetctl reconcile --tenant demo-tenant -o json
  fleetctl reconcile --list
  fleetctl reconcile --grace 30s --outbox-max-age 1m`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := cfg.Validate(); err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(c.Context(), timeout)
			defer cancel()
			pool, err := app.OpenDB(ctx, opts.DatabaseURL)
			if err != nil {
				return err
			}
			defer pool.Close()
			rec := reconcile.New(cfg, pool, opts.engineAPI(), zap.NewNop(), prometheus.NewRegistry())
			if list {
				open, err := rec.OpenFindings(ctx)
				if err != nil {
					return err
				}
				return printFindings(c.OutOrStdout(), opts.Output, open, fmt.Sprintf("%d open findings", len(open)))
			}
			rep, passErr := rec.Pass(ctx)
			summary := fmt.Sprintf("%d findings this pass: %d new, %d resolved", len(rep.Findings), rep.Opened, rep.Resolved)
			if opts.Output == "json" {
				if err := json.NewEncoder(c.OutOrStdout()).Encode(rep); err != nil {
					return err
				}
			} else if err := printFindings(c.OutOrStdout(), "table", rep.Findings, summary); err != nil {
				return err
			}
			if passErr != nil {
				return fmt.Errorf("checks %v could not finish (their findings were not resolved): %w", rep.Failed, passErr)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&list, "list", false, "list the open findings instead of running a pass")
	f.StringVar(&cfg.TenantID, "tenant", envOr("ORDERFLEET_RECONCILE_TENANT", ""), "only this tenant's data and findings (env ORDERFLEET_RECONCILE_TENANT; empty: all)")
	f.DurationVar(&cfg.Grace, "grace", reconcile.DefaultGrace, "how long a start, an order's end, a fallout case or a timer may lag before it is a finding")
	f.DurationVar(&cfg.OutboxMaxAge, "outbox-max-age", reconcile.DefaultOutboxMaxAge, "how long an outbox event may stay unpublished")
	f.DurationVar(&cfg.Lookback, "lookback", reconcile.DefaultLookback, "how far back ended orders are checked for instances still running")
	f.DurationVar(&timeout, "timeout", 5*time.Minute, "give up after this long")
	return cmd
}

// printFindings writes findings as a table (kind, tenant, subject, since, count, detail) or JSON.
func printFindings(out io.Writer, format string, findings []reconcile.Finding, summary string) error {
	if findings == nil {
		findings = []reconcile.Finding{}
	}
	if format == "json" {
		return json.NewEncoder(out).Encode(findings)
	}
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "KIND\tTENANT\tSUBJECT\tFIRST SEEN\tSEEN\tDETAIL")
	for _, f := range findings {
		first := "-"
		if !f.FirstSeen.IsZero() {
			first = f.FirstSeen.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%s\n", f.Kind, f.TenantID, f.Subject, first, f.SeenCount, f.Detail)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(out, summary)
	return err
}
