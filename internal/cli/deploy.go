package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/orderfleet/orderfleet/internal/app"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

func newMigrateCmd(opts *Options) *cobra.Command {
	return &cobra.Command{
		Use:     "migrate",
		Short:   "Apply the embedded database migrations (idempotent)",
		Example: "  fleetctl migrate --database-url postgres://orderfleet:orderfleet@127.0.0.1:15432/orderfleet",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(c.Context(), 2*time.Minute)
			defer cancel()
			if err := postgres.Migrate(ctx, opts.DatabaseURL); err != nil {
				return err
			}
			fmt.Fprintln(c.OutOrStdout(), "migrations applied")
			return nil
		},
	}
}

func newDeployCmd(opts *Options) *cobra.Command {
	return &cobra.Command{
		Use:     "deploy",
		Short:   "Deploy orderfleet's BPMN to Zeebe (an unchanged file keeps its version)",
		Example: "  fleetctl deploy\n  fleetctl deploy -o json",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(c.Context(), time.Minute)
			defer cancel()
			deployed, err := app.DeployBPMNTo(ctx, opts.zeebeConnection())
			if err != nil {
				return err
			}
			if opts.Output == "json" {
				return json.NewEncoder(c.OutOrStdout()).Encode(deployed)
			}
			for _, d := range deployed {
				fmt.Fprintf(c.OutOrStdout(), "deployed %s version %d (key %d)\n", d.BPMNProcessID, d.Version, d.Key)
			}
			return nil
		},
	}
}
