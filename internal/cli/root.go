// Package cli is fleetctl, the operator's command line for orderfleet: the local stack, migrations,
// BPMN deployment, and the demo. Output is a human table by default and JSON with -o json.
package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/orderfleet/orderfleet/internal/app"
	"github.com/orderfleet/orderfleet/internal/engineapi"
	"github.com/orderfleet/orderfleet/internal/omsclient"
	"github.com/orderfleet/orderfleet/internal/zeebe"
)

// Options are the global flags; each defaults from its ORDERFLEET_* variable, then the local stack.
type Options struct {
	DatabaseURL  string
	ZeebeAddress string
	// Zeebe is the rest of the gateway connection (TLS, OAuth) for a Camunda 8 cluster.
	Zeebe        zeebe.Connection
	EngineAPIURL string
	// EngineAPIToken is a bearer token for a Camunda 8 REST API; our engine needs none. Read from
	// the environment at use, never as a flag default, so --help cannot print it.
	EngineAPIToken string
	ManagementURL  string
	APIURL         string
	APIToken       string
	Output         string
	out            io.Writer
}

func envOr(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

// localDemoToken is the token deploy/local/fleet.env binds to demo-tenant, so fleetctl works
// against `make run` without setup. Real deployments set ORDERFLEET_API_TOKEN.
const localDemoToken = "local-demo-token-0001"

// api is the OMS API client for the global flags.
func (o *Options) api() *omsclient.Client { return omsclient.New(o.APIURL, o.APIToken) }

// zeebeConnection is the gateway connection of the global flags.
func (o *Options) zeebeConnection() zeebe.Connection {
	conn := o.Zeebe
	conn.Address = o.ZeebeAddress
	if conn.ClientSecret == "" {
		conn.ClientSecret = envOr("ORDERFLEET_ZEEBE_CLIENT_SECRET", "")
	}
	return conn
}

// engineAPI is the engine read API client for the global flags.
func (o *Options) engineAPI() *engineapi.Client {
	token := o.EngineAPIToken
	if token == "" {
		token = envOr("ORDERFLEET_ENGINE_API_TOKEN", "")
	}
	return engineapi.New(o.EngineAPIURL, engineapi.BearerToken(token))
}

// NewRoot builds the fleetctl command tree.
func NewRoot(out, errOut io.Writer) *cobra.Command {
	opts := &Options{out: out}
	root := &cobra.Command{
		Use:   "fleetctl",
		Short: "Operate orderfleet: local stack, migrations, BPMN deployment, orders and demo",
		Long: `fleetctl is the operator's tool for orderfleet, the Camunda 8 job-worker fleet that fulfils
CPQ/OMS orders. Connection flags default to the ORDERFLEET_* environment variables and then
to the local stack started by 'fleetctl stack up' (or 'make stack-up').`,
		Example: `  fleetctl stack up
  fleetctl migrate && fleetctl deploy
  fleetctl demo
  fleetctl order create -f deploy/demo/orders/add-bundle.json --wait
  fleetctl fallout list --status OPEN -o json`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(out)
	root.SetErr(errOut)
	pf := root.PersistentFlags()
	pf.StringVar(&opts.DatabaseURL, "database-url", envOr("ORDERFLEET_DATABASE_URL", app.DefaultDatabaseURL), "PostgreSQL URL (env ORDERFLEET_DATABASE_URL)")
	pf.StringVar(&opts.ZeebeAddress, "zeebe-address", envOr("ORDERFLEET_ZEEBE_ADDRESS", "127.0.0.1:26500"), "Zeebe gateway: the engine, or a Camunda 8 gateway (env ORDERFLEET_ZEEBE_ADDRESS)")
	pf.BoolVar(&opts.Zeebe.TLS, "zeebe-tls", envOr("ORDERFLEET_ZEEBE_TLS", "false") == "true", "use TLS to the gateway (env ORDERFLEET_ZEEBE_TLS)")
	pf.StringVar(&opts.Zeebe.CAFile, "zeebe-ca-file", envOr("ORDERFLEET_ZEEBE_CA_FILE", ""), "PEM file of a private CA (env ORDERFLEET_ZEEBE_CA_FILE)")
	pf.StringVar(&opts.Zeebe.ClientID, "zeebe-client-id", envOr("ORDERFLEET_ZEEBE_CLIENT_ID", ""), "OAuth client id (env ORDERFLEET_ZEEBE_CLIENT_ID; empty: no OAuth)")
	pf.StringVar(&opts.Zeebe.ClientSecret, "zeebe-client-secret", "", "OAuth client secret (env ORDERFLEET_ZEEBE_CLIENT_SECRET, read at use so --help never shows it)")
	pf.StringVar(&opts.Zeebe.AuthorizationServerURL, "zeebe-authorization-server-url", envOr("ORDERFLEET_ZEEBE_AUTHORIZATION_SERVER_URL", ""), "OAuth token endpoint (env ORDERFLEET_ZEEBE_AUTHORIZATION_SERVER_URL)")
	pf.StringVar(&opts.Zeebe.Audience, "zeebe-token-audience", envOr("ORDERFLEET_ZEEBE_TOKEN_AUDIENCE", ""), "OAuth audience (env ORDERFLEET_ZEEBE_TOKEN_AUDIENCE)")
	pf.StringVar(&opts.EngineAPIURL, "engine-api-url", envOr("ORDERFLEET_ENGINE_API_URL", "http://127.0.0.1:8080"), "the engine's read API base URL (env ORDERFLEET_ENGINE_API_URL)")
	pf.StringVar(&opts.EngineAPIToken, "engine-api-token", "", "bearer token for the read API of a Camunda 8 cluster (env ORDERFLEET_ENGINE_API_TOKEN; our engine needs none)")
	pf.StringVar(&opts.ManagementURL, "management-url", envOr("ORDERFLEET_ZEEBE_MANAGEMENT_URL", "http://127.0.0.1:9600"), "engine management URL, for its clock (env ORDERFLEET_ZEEBE_MANAGEMENT_URL)")
	pf.StringVar(&opts.APIURL, "api-url", envOr("ORDERFLEET_API_URL", "http://127.0.0.1:8090"), "OMS API base URL (env ORDERFLEET_API_URL)")
	pf.StringVar(&opts.APIToken, "token", envOr("ORDERFLEET_API_TOKEN", localDemoToken), "OMS API bearer token; it decides the tenant (env ORDERFLEET_API_TOKEN)")
	pf.StringVarP(&opts.Output, "output", "o", "table", "output format: table or json")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if opts.Output != "table" && opts.Output != "json" {
			return fmt.Errorf("--output must be table or json, not %q", opts.Output)
		}
		return nil
	}
	root.AddCommand(newStackCmd(opts), newMigrateCmd(opts), newDeployCmd(opts), newDemoCmd(opts),
		newOrderCmd(opts), newTasksCmd(opts), newInstanceCmd(opts), newIncidentsCmd(opts), newFalloutCmd(opts), newDecideCmd(opts), newReconcileCmd(opts),
		newLifecycleCmd(opts, "cancel", "Cancel an order; completed work is compensated where the plan says so",
			"  fleetctl cancel 0b6f...-uuid --reason-code CUSTOMER_REQUEST --reason \"Customer withdrew\""),
		newLifecycleCmd(opts, "suspend", "Pause an order: tasks in flight settle, no new task starts",
			"  fleetctl suspend 0b6f...-uuid --reason-code CUSTOMER_HOLD --reason \"Customer on holiday\"\n"+
				"  (reason codes: CUSTOMER_HOLD FRAUD_REVIEW MISSING_DOCUMENT DEPENDENCY_NOT_READY COMPLIANCE_REVIEW PAYMENT_HOLD)"),
		newLifecycleCmd(opts, "resume", "Resume a suspended order",
			"  fleetctl resume 0b6f...-uuid --reason-code HOLD_RELEASED --reason \"Customer is back\""))
	return root
}

// Main runs fleetctl with the process's arguments and returns the exit code.
func Main(args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	root := NewRoot(os.Stdout, os.Stderr)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "fleetctl: %v\n", err)
		return 1
	}
	return 0
}
