package e2e

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderfleet/orderfleet/internal/app"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/engineapi"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

// stack is what every test of the package shares: connections and the running fleet.
var stack struct {
	databaseURL  string
	zeebeAddress string
	engineAPIURL string
	simulatorURL string
	apiURL       string
	binDir       string
	logDir       string
	pool         *pgxpool.Pool
	store        *postgres.Store
	catalog      *domain.Catalog
	engine       *engineapi.Client
	fleet        map[string]*fleetProcess
}

// fleetBinaries are started for the whole package, in this order.
var fleetBinaries = []string{
	"oms-api", "outbox-relay", "correlation-router", "adapter-simulator", "workflow-start-relay", "load-fulfillment-plan", "execute-task", "manual-task",
	"apply-timeout", "open-fallout", "compensation", "installed-base", "finalize",
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func TestMain(m *testing.M) {
	code, err := setUp()
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\nThe end-to-end tests need the local stack: run `make stack-up` (make test does it for you).\n", err)
		os.Exit(1)
	}
	os.Exit(code(m))
}

func setUp() (func(*testing.M) int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	stack.databaseURL = envOr("ORDERFLEET_DATABASE_URL", app.DefaultDatabaseURL)
	stack.zeebeAddress = envOr("ORDERFLEET_ZEEBE_ADDRESS", "127.0.0.1:26500")
	stack.engineAPIURL = envOr("ORDERFLEET_ENGINE_API_URL", "http://127.0.0.1:8080")
	// The fleet's two fixed listeners; a second checkout's e2e run on this machine picks others.
	stack.simulatorURL = "http://" + envOr("ORDERFLEET_E2E_SIMULATOR_ADDR", "127.0.0.1:19180")
	stack.apiURL = "http://" + envOr("ORDERFLEET_E2E_API_ADDR", "127.0.0.1:18090")

	if err := postgres.Migrate(ctx, stack.databaseURL); err != nil {
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if _, err := app.DeployBPMN(ctx, stack.zeebeAddress); err != nil {
		return nil, fmt.Errorf("deploy BPMN: %w", err)
	}
	pool, err := app.OpenDB(ctx, stack.databaseURL)
	if err != nil {
		return nil, err
	}
	stack.pool, stack.store = pool, postgres.New(pool)
	if stack.catalog, err = domain.LoadCatalog(); err != nil {
		return nil, err
	}
	stack.engine = engineapi.New(stack.engineAPIURL, nil)

	tmp, err := os.MkdirTemp("", "orderfleet-e2e-")
	if err != nil {
		return nil, err
	}
	stack.binDir, stack.logDir = tmp+"/bin", tmp
	if err := buildBinaries(stack.binDir); err != nil {
		return nil, err
	}
	stack.fleet = map[string]*fleetProcess{}
	for _, name := range fleetBinaries {
		if err := startFleetProcess(name); err != nil {
			stopFleet()
			return nil, err
		}
	}
	return func(m *testing.M) int {
		code := m.Run()
		if err := stopFleet(); err != nil {
			fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
		pool.Close()
		if code == 0 {
			os.RemoveAll(tmp)
		} else {
			fmt.Fprintf(os.Stderr, "e2e: fleet logs kept in %s\n", tmp)
		}
		return code
	}, nil
}

// fleetEnv is the environment every fleet process gets on top of the test's own.
func fleetEnv() []string {
	addr := strings.TrimPrefix(stack.simulatorURL, "http://")
	return []string{
		"ORDERFLEET_DATABASE_URL=" + stack.databaseURL,
		"ORDERFLEET_ZEEBE_ADDRESS=" + stack.zeebeAddress,
		"ORDERFLEET_ADAPTER_URL=" + stack.simulatorURL,
		"ORDERFLEET_SIM_LISTEN=" + addr,
		// The e2e fleet's own API port, so a `make run` fleet on this machine does not collide.
		"ORDERFLEET_API_ADDR=" + strings.TrimPrefix(stack.apiURL, "http://"),
		"ORDERFLEET_SIM_CALLBACK_BASE_URL=" + stack.apiURL,
		"ORDERFLEET_API_TOKENS=" + asyncTenant + "-token-0001=" + asyncTenant,
		"ORDERFLEET_CALLBACK_SECRETS=" + asyncTenant + "=" + asyncTenant + "-callback-secret",
		// Short drain and poll settings keep restarts in tests quick.
		"ORDERFLEET_DRAIN_TIMEOUT=10s",
		// A job held by a killed worker comes back after this, so crash tests finish quickly.
		"ORDERFLEET_JOB_TIMEOUT=15s",
		"ORDERFLEET_START_POLL_INTERVAL=50ms",
	}
}

func startFleetProcess(name string, extraEnv ...string) error {
	p, err := startProcess(stack.binDir, stack.logDir, name, append(fleetEnv(), extraEnv...)...)
	if err != nil {
		return err
	}
	stack.fleet[name] = p
	// A binary that dies at start (bad settings, port taken) fails the run here, not later.
	select {
	case <-p.done:
		return fmt.Errorf("%s exited at start:\n%s", name, p.logTail(20))
	case <-time.After(300 * time.Millisecond):
	}
	return nil
}

func stopFleet() error {
	var errs []string
	for i := len(fleetBinaries) - 1; i >= 0; i-- {
		if p := stack.fleet[fleetBinaries[i]]; p != nil {
			if err := p.stop(20 * time.Second); err != nil {
				errs = append(errs, fmt.Sprintf("%s: %v", p.name, err))
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("fleet shutdown: %s", strings.Join(errs, "; "))
	}
	return nil
}
