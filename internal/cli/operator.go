package cli

import (
	"context"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/orderfleet/orderfleet/internal/omsapi"
	"github.com/orderfleet/orderfleet/internal/omsclient"
)

// justificationFlags are the structured "why" every operator command carries (seed 000 §17.1).
type justificationFlags struct {
	omsclient.Justification
	idempotencyKey string
}

func (j *justificationFlags) register(cmd *cobra.Command, approval bool) {
	f := cmd.Flags()
	f.StringVar(&j.ReasonCode, "reason-code", "", "machine-readable reason, UPPER_SNAKE_CASE (required)")
	f.StringVar(&j.Reason, "reason", "", "what happened and why, for the audit trail")
	f.StringVar(&j.EvidenceReference, "evidence", "", "ticket, change or document backing the decision")
	f.StringVar(&j.OperatorID, "operator", os.Getenv("USER"), "who decides (default: $USER)")
	if approval {
		f.StringVar(&j.ApproverID, "approver", "", "second person approving, where the decision needs one")
	}
	f.StringVar(&j.idempotencyKey, "idempotency-key", "", "Idempotency-Key for the POST (default: a random one)")
	_ = cmd.MarkFlagRequired("reason-code")
}

func newTasksCmd(opts *Options) *cobra.Command {
	var status string
	cmd := withStatusFlag(&cobra.Command{
		Use:   "tasks ORDER_ID",
		Short: "List an order's fulfillment tasks with status, attempts and last failure",
		Example: `  fleetctl tasks 0b6f...-uuid
  fleetctl tasks 0b6f...-uuid --status FAILED -o json`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			tasks, err := opts.api().Tasks(c.Context(), args[0], status)
			if err != nil {
				return err
			}
			return opts.emit(c.OutOrStdout(), tasks, func(w *tabwriter.Writer) {
				row(w, "SEQ", "TASK", "KEY", "TYPE", "OWNER", "MODE", "STATUS", "ATTEMPTS", "FAILURE")
				for _, t := range tasks {
					row(w, t.Seq, t.TaskID, t.Key, t.TaskType, t.OwnerSystem, t.ExecutionMode, t.Status,
						itoaPair(t.Attempts, t.MaxAttempts), orDash(t.LastFailureCode))
				}
			})
		},
	}, &status, "only tasks in this status (e.g. FAILED, WAITING)")
	cmd.AddCommand(
		newTaskDecisionCmd(opts, "retry", "Run a FAILED or TIMED_OUT task again (one more attempt if its budget is spent)",
			"  fleetctl tasks retry 0b6f...-uuid 5e2a...-uuid --reason-code PARTNER_RECOVERED --reason \"back up\"", false,
			func(c *omsclient.Client) func(context.Context, string, string, omsclient.Justification, string) (omsapi.Decision, error) {
				return c.RetryTask
			}),
		newTaskDecisionCmd(opts, "skip", "Skip a task with a second person's approval",
			"  fleetctl tasks skip 0b6f...-uuid 5e2a...-uuid --reason-code NOT_NEEDED --reason \"customer has one\" \\\n"+
				"      --evidence TICKET-7 --approver lead-2", true,
			func(c *omsclient.Client) func(context.Context, string, string, omsclient.Justification, string) (omsapi.Decision, error) {
				return c.SkipTask
			}))
	return cmd
}

// newTaskDecisionCmd builds `tasks retry` and `tasks skip`, the operator's decisions on one task.
func newTaskDecisionCmd(opts *Options, name, short, example string, approval bool,
	call func(*omsclient.Client) func(ctx context.Context, orderID, taskID string, j omsclient.Justification, key string) (omsapi.Decision, error)) *cobra.Command {
	var why justificationFlags
	cmd := &cobra.Command{
		Use:     name + " ORDER_ID TASK_ID --reason-code CODE",
		Short:   short,
		Example: example,
		Args:    cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := call(opts.api())(c.Context(), args[0], args[1], why.Justification, why.idempotencyKey)
			if err != nil {
				return err
			}
			return opts.emitDecision(c, d)
		},
	}
	why.register(cmd, approval)
	return cmd
}

func withStatusFlag(cmd *cobra.Command, status *string, usage string) *cobra.Command {
	cmd.Flags().StringVar(status, "status", "", usage)
	return cmd
}

func newFalloutCmd(opts *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "fallout",
		Short: "List fallout cases and repair them",
		Example: `  fleetctl fallout list --status OPEN
  fleetctl fallout repair ORDER_ID CASE_ID --action RETRY --reason-code CAPACITY_ADDED --reason "pool extended"`,
	}
	var orderID, status string
	list := &cobra.Command{
		Use:     "list",
		Short:   "List fallout cases, oldest first: the operators' work queue",
		Example: "  fleetctl fallout list --status OPEN\n  fleetctl fallout list --order 0b6f...-uuid -o json",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			cases, err := opts.api().FalloutCases(c.Context(), orderID, status)
			if err != nil {
				return err
			}
			return opts.emit(c.OutOrStdout(), cases, func(w *tabwriter.Writer) {
				row(w, "CASE", "ORDER", "CATEGORY", "SEVERITY", "STATUS", "SUGGESTED", "OPENED")
				for _, f := range cases {
					row(w, f.FalloutCaseID, f.OrderID, f.Category, f.Severity, f.Status, joinOrDash(f.SuggestedRepairActions), clockTime(f.CreatedAt))
				}
			})
		},
	}
	list.Flags().StringVar(&orderID, "order", "", "only the cases of this order")
	list.Flags().StringVar(&status, "status", "", "only cases in this status (OPEN, RESOLVED, ...)")

	var action string
	var why justificationFlags
	repair := &cobra.Command{
		Use:   "repair ORDER_ID CASE_ID --action ACTION --reason-code CODE",
		Short: "Resolve a fallout case with a repair action; the waiting process continues",
		Long: `repair records the operator's repair as a domain command. RETRY runs the task again, SKIP
skips it, COMPENSATE undoes the completed work, MANUAL_CLOSE closes the order by hand.
The repair event reaches the waiting process through the outbox, Kafka and the router.`,
		Example: `  fleetctl fallout repair 0b6f...-uuid 7c1d...-uuid --action RETRY \
      --reason-code CAPACITY_ADDED --reason "Added capacity in the pool" --evidence CHG-42`,
		Args: cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			r, err := opts.api().RepairFallout(c.Context(), args[0], args[1], action, why.Justification, why.idempotencyKey)
			if err != nil {
				return err
			}
			return opts.emit(c.OutOrStdout(), r, func(w *tabwriter.Writer) {
				row(w, "CASE", "ACTION", "CASE STATUS", "ORDER STATUS", "READY TASKS")
				row(w, r.FalloutCaseID, r.RepairAction, r.FalloutStatus, r.OrderStatus, len(r.Progress.ReadyTaskIDs))
			})
		},
	}
	repair.Flags().StringVar(&action, "action", "", "RETRY, SKIP, COMPENSATE or MANUAL_CLOSE (required)")
	_ = repair.MarkFlagRequired("action")
	why.register(repair, false)
	cmd.AddCommand(list, repair)
	return cmd
}

func newDecideCmd(opts *Options) *cobra.Command {
	var decision string
	var why justificationFlags
	cmd := &cobra.Command{
		Use:   "decide ORDER_ID TASK_ID --decision DECISION --reason-code CODE",
		Short: "Record a person's decision on a task that waits for one (e.g. a manual activation review)",
		Example: `  fleetctl decide 0b6f...-uuid 5e2a...-uuid --decision COMPLETE \
      --reason-code SITE_CHECKED --reason "Site survey done" --evidence SURVEY-9
  fleetctl decide 0b6f...-uuid 5e2a...-uuid --decision SKIP_WITH_APPROVAL \
      --reason-code NOT_NEEDED --reason "Customer has the device" --evidence TICKET-7 --approver lead-2`,
		Args: cobra.ExactArgs(2),
		RunE: func(c *cobra.Command, args []string) error {
			d, err := opts.api().Decide(c.Context(), args[0], args[1], decision, why.Justification, why.idempotencyKey)
			if err != nil {
				return err
			}
			return opts.emitDecision(c, d)
		},
	}
	cmd.Flags().StringVar(&decision, "decision", "", "COMPLETE, FAIL, RETRY, SKIP_WITH_APPROVAL, REQUEST_CUSTOMER_ACTION or ESCALATE (required)")
	_ = cmd.MarkFlagRequired("decision")
	why.register(cmd, true)
	return cmd
}

// newLifecycleCmd builds cancel, suspend and resume, which share their shape.
func newLifecycleCmd(opts *Options, name, short, example string) *cobra.Command {
	var why justificationFlags
	cmd := &cobra.Command{
		Use:     name + " ORDER_ID --reason-code CODE",
		Short:   short,
		Example: example,
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			l, err := opts.api().Lifecycle(c.Context(), args[0], name, why.Justification, why.idempotencyKey)
			if err != nil {
				return err
			}
			return opts.emit(c.OutOrStdout(), l, func(w *tabwriter.Writer) {
				row(w, "ORDER", "STATUS", "BEHAVIOR", "EXPLANATION")
				row(w, l.OrderID, l.Status, orDash(l.Behavior), orDash(l.Explanation))
			})
		},
	}
	why.register(cmd, false)
	return cmd
}

func (o *Options) emitDecision(c *cobra.Command, d omsapi.Decision) error {
	return o.emit(c.OutOrStdout(), d, func(w *tabwriter.Writer) {
		row(w, "DECISION", "TASK", "TASK STATUS", "READY TASKS")
		row(w, d.Decision, d.TaskID, d.TaskStatus, len(d.Progress.ReadyTaskIDs))
	})
}
