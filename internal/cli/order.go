package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
)

func newOrderCmd(opts *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "order",
		Short: "Capture orders and read them back: create, get, list, timeline",
		Example: `  fleetctl order create -f deploy/demo/orders/add-bundle.json --wait
  fleetctl order get 0b6f...-uuid
  fleetctl order list --status FULFILLING
  fleetctl order timeline 0b6f...-uuid -o json`,
	}
	cmd.AddCommand(newOrderCreateCmd(opts), newOrderGetCmd(opts), newOrderListCmd(opts), newOrderTimelineCmd(opts))
	return cmd
}

func newOrderCreateCmd(opts *Options) *cobra.Command {
	var file, key string
	var wait bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "create -f ORDER.json",
		Short: "Capture an order from a JSON document (the body of POST /api/v1/orders)",
		Long: `create sends the document to the OMS API, which validates it against the catalog, decomposes it
into a fulfillment plan and queues the workflow start, all in one transaction. With --wait it then
shows the plan's progress until the order reaches an end state. The Idempotency-Key defaults to a
random one; pass --idempotency-key to make a retried create safe.`,
		Example: `  fleetctl order create -f deploy/demo/orders/add-bundle.json
  fleetctl order create -f my-order.json --idempotency-key quote-4711 --wait
  cat my-order.json | fleetctl order create -f - -o json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			doc, err := readDocument(file)
			if err != nil {
				return err
			}
			api := opts.api()
			captured, err := api.CaptureOrder(c.Context(), doc, key)
			if err != nil {
				return err
			}
			if wait {
				fmt.Fprintf(c.ErrOrStderr(), "order %s captured with %d tasks; following it…\n", captured.OrderID, captured.TaskCount)
				ctx, cancel := context.WithTimeout(c.Context(), timeout)
				defer cancel()
				o, err := followOrder(ctx, api, captured.OrderID, stderrProgress(c))
				if err != nil {
					return err
				}
				captured.Status = o.Status
			}
			return opts.emit(c.OutOrStdout(), captured, func(w *tabwriter.Writer) {
				row(w, "ORDER", "PLAN", "STATUS", "TASKS")
				row(w, captured.OrderID, captured.FulfillmentPlanID, captured.Status, captured.TaskCount)
			})
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "order document, or - for standard input (required)")
	cmd.Flags().StringVar(&key, "idempotency-key", "", "Idempotency-Key for the POST (default: a random one)")
	cmd.Flags().BoolVar(&wait, "wait", false, "follow the order until it reaches an end state")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Minute, "with --wait, give up after this long")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

func readDocument(file string) ([]byte, error) {
	var doc []byte
	var err error
	if file == "-" {
		doc, err = io.ReadAll(io.LimitReader(os.Stdin, 4<<20))
	} else {
		doc, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, fmt.Errorf("read the order document: %w", err)
	}
	return doc, nil
}

func newOrderGetCmd(opts *Options) *cobra.Command {
	return &cobra.Command{
		Use:     "get ORDER_ID",
		Short:   "Show one order with its items",
		Example: "  fleetctl order get 0b6f...-uuid\n  fleetctl order get 0b6f...-uuid -o json | jq .status",
		Args:    cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			o, err := opts.api().Order(c.Context(), args[0])
			if err != nil {
				return err
			}
			return opts.emit(c.OutOrStdout(), o, func(w *tabwriter.Writer) {
				row(w, "ORDER", "CUSTOMER", "STATUS", "VERSION", "UPDATED")
				row(w, o.OrderID, o.CustomerID, o.Status, o.Version, clockTime(o.UpdatedAt))
				fmt.Fprintln(w)
				row(w, "LINE", "PRODUCT", "ACTION", "ITEM", "TARGET ASSET")
				for _, it := range o.Items {
					row(w, it.LineNo, it.ProductCode, it.Action, it.OrderItemID, orDash(it.TargetAssetID))
				}
			})
		},
	}
}

func newOrderListCmd(opts *Options) *cobra.Command {
	var status string
	var limit int
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List the tenant's orders, newest first",
		Example: "  fleetctl order list\n  fleetctl order list --status FAILED_WITH_FALLOUT --limit 20",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			orders, err := opts.api().Orders(c.Context(), status, limit)
			if err != nil {
				return err
			}
			return opts.emit(c.OutOrStdout(), orders, func(w *tabwriter.Writer) {
				row(w, "ORDER", "CUSTOMER", "STATUS", "CREATED")
				for _, o := range orders {
					row(w, o.OrderID, o.CustomerID, o.Status, o.CreatedAt.Local().Format(time.DateTime))
				}
			})
		},
	}
	cmd.Flags().StringVar(&status, "status", "", "only orders in this status")
	cmd.Flags().IntVar(&limit, "limit", 50, "at most this many (0: all)")
	return cmd
}

func newOrderTimelineCmd(opts *Options) *cobra.Command {
	return &cobra.Command{
		Use:   "timeline ORDER_ID",
		Short: "Show an order's history: audit, task attempts, partner callbacks and events in time order",
		Example: `  fleetctl order timeline 0b6f...-uuid
  fleetctl order timeline 0b6f...-uuid -o json | jq -r '.[] | .type'`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			entries, err := opts.api().Timeline(c.Context(), args[0])
			if err != nil {
				return err
			}
			return opts.emit(c.OutOrStdout(), entries, func(w *tabwriter.Writer) {
				row(w, "TIME", "SOURCE", "TYPE", "AGGREGATE", "DETAIL")
				for _, e := range entries {
					row(w, clockTime(e.At), e.Source, e.Type, e.AggregateType+" "+short(e.AggregateID), summarize(e))
				}
			})
		},
	}
}

// short keeps the first block of a UUID: enough to tell rows apart in a table.
func short(id string) string {
	if len(id) > 8 {
		return id[:8]
	}
	return orDash(id)
}
