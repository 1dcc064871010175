// Package demoflow drives the golden flows of seed 001 §27 through the public OMS API, the way an
// operator would: capture a sample order, act where a person must (decide, repair, cancel), and
// wait for the end state. `fleetctl demo` runs it against `make run`; the golden timeline tests
// run the same flows against the test fleet and compare each order's timeline to a golden file.
package demoflow

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/engineapi"
	"github.com/orderfleet/orderfleet/internal/omsapi"
	"github.com/orderfleet/orderfleet/internal/omsclient"
	"github.com/orderfleet/orderfleet/internal/simulator"
)

// Env is what the flows talk to.
type Env struct {
	API       *omsclient.Client
	Simulator *simulator.Client
	// Engine is the engine's read API, where the flows see the instance reach an element.
	Engine *engineapi.Client
	// DB finds the assets earlier flows installed, to fill {{asset:PRODUCT}} in later documents.
	DB *pgxpool.Pool
	// MoveClock moves the engine's controlled clock (the timeout flow needs 31 minutes).
	MoveClock func(ctx context.Context, d time.Duration) error
	// Orders holds the sample order documents by file name.
	Orders fs.FS
	// CustomerID is shared by every flow of one run, so later flows change the earlier assets.
	CustomerID string
	// Progress receives one human line per step; it may be nil.
	Progress func(string)
}

// Flow is one golden flow: a sample order and what a person does while it runs.
type Flow struct {
	Name  string // stable: golden file names and `fleetctl demo --flow` use it
	Title string
	File  string
	Want  domain.OrderStatus
	// Before runs before the capture (e.g. a partner scenario); After cleans up, failure or not.
	Before, After func(ctx context.Context, r *Run) error
	// Drive acts on the running order; nil means just wait for the end state.
	Drive func(ctx context.Context, r *Run) error
	// AfterEnd acts once the order reached the wanted end state (e.g. a late duplicate callback).
	AfterEnd func(ctx context.Context, r *Run) error
}

// Result is one flow's outcome, as the summary table shows it.
type Result struct {
	Flow               string `json:"flow"`
	Title              string `json:"title"`
	OrderID            string `json:"orderId"`
	TenantID           string `json:"tenantId"`
	OrderStatus        string `json:"orderStatus"`
	WantStatus         string `json:"wantStatus"`
	Tasks              int    `json:"tasks"`
	ProcessInstanceKey string `json:"processInstanceKey"`
	// Inspect are the fleetctl commands that show the order's instance and its incidents.
	Inspect         []string `json:"inspect"`
	DurationSeconds float64  `json:"durationSeconds"`
	Error           string   `json:"error,omitempty"`
}

// OK reports whether the flow ended where it should.
func (r Result) OK() bool { return r.Error == "" && r.OrderStatus == r.WantStatus }

// Run is one flow in progress.
type Run struct {
	env     *Env
	Flow    Flow
	OrderID string
}

func (r *Run) say(format string, args ...any) {
	if r.env.Progress != nil {
		r.env.Progress(fmt.Sprintf("[%s] ", r.Flow.Name) + fmt.Sprintf(format, args...))
	}
}

// RunFlows runs the flows one after another: later flows use the assets earlier ones installed,
// and the timeout flow moves the engine clock, which must not hit another flow's timers.
func RunFlows(ctx context.Context, env *Env, flows []Flow, perFlow time.Duration) []Result {
	var out []Result
	for _, f := range flows {
		fctx, cancel := context.WithTimeout(ctx, perFlow)
		out = append(out, runOne(fctx, env, f))
		cancel()
		if ctx.Err() != nil {
			break
		}
	}
	return out
}

func runOne(ctx context.Context, env *Env, f Flow) (res Result) {
	started := time.Now()
	r := &Run{env: env, Flow: f}
	res = Result{Flow: f.Name, Title: f.Title, WantStatus: string(f.Want)}
	defer func() { res.DurationSeconds = time.Since(started).Round(100 * time.Millisecond).Seconds() }()
	fail := func(err error) Result {
		res.Error = err.Error()
		r.say("FAILED: %v", err)
		return res
	}
	if f.After != nil {
		defer func() {
			cleanup, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := f.After(cleanup, r); err != nil && res.Error == "" {
				res.Error = "cleanup: " + err.Error()
			}
		}()
	}
	if f.Before != nil {
		if err := f.Before(ctx, r); err != nil {
			return fail(err)
		}
	}
	doc, err := r.document(ctx)
	if err != nil {
		return fail(err)
	}
	captured, err := env.API.CaptureOrder(ctx, doc, "")
	if err != nil {
		return fail(fmt.Errorf("capture %s: %w", f.File, err))
	}
	r.OrderID, res.OrderID, res.Tasks = captured.OrderID, captured.OrderID, captured.TaskCount
	r.say("captured order %s from %s: %d tasks", captured.OrderID, f.File, captured.TaskCount)
	if f.Drive != nil {
		if err := f.Drive(ctx, r); err != nil {
			return fail(err)
		}
	}
	o, err := r.waitFor(ctx, "an end state", EndState)
	res.OrderStatus, res.TenantID = o.Status, o.TenantID
	if err != nil {
		return fail(err)
	}
	if key, err := r.processInstanceKey(ctx); err == nil {
		res.ProcessInstanceKey = key
		res.Inspect = InspectCommands(key, r.OrderID)
	}
	if res.OrderStatus != res.WantStatus {
		return fail(fmt.Errorf("order ended %s, want %s", res.OrderStatus, res.WantStatus))
	}
	if f.AfterEnd != nil {
		if err := f.AfterEnd(ctx, r); err != nil {
			return fail(err)
		}
	}
	r.say("order %s %s", o.Status, "✓")
	return res
}

// document reads the flow's sample order and fills its placeholders.
func (r *Run) document(ctx context.Context) ([]byte, error) {
	raw, err := fs.ReadFile(r.env.Orders, r.Flow.File)
	if err != nil {
		return nil, fmt.Errorf("sample order: %w", err)
	}
	doc := strings.ReplaceAll(string(raw), "{{customerId}}", r.env.CustomerID)
	for {
		i := strings.Index(doc, "{{asset:")
		if i < 0 {
			return []byte(doc), nil
		}
		j := strings.Index(doc[i:], "}}")
		if j < 0 {
			return nil, fmt.Errorf("%s: unterminated {{asset:...}}", r.Flow.File)
		}
		product := doc[i+len("{{asset:") : i+j]
		id, err := r.activeAsset(ctx, product)
		if err != nil {
			return nil, err
		}
		doc = doc[:i] + id + doc[i+j+2:]
	}
}

// activeAsset is the customer's active asset of a product, which an earlier flow installed.
func (r *Run) activeAsset(ctx context.Context, product string) (string, error) {
	var id string
	err := r.env.DB.QueryRow(ctx, `select id::text from installed_base_asset
		where customer_id = $1 and product_code = $2 and status = 'ACTIVE' order by created_at desc limit 1`,
		r.env.CustomerID, product).Scan(&id)
	if err != nil {
		return "", fmt.Errorf("customer %s has no active %s asset (run the add-bundle flow first): %w", r.env.CustomerID, product, err)
	}
	return id, nil
}

// waitFor follows the order until done says so.
func (r *Run) waitFor(ctx context.Context, what string, done func(omsapi.Order, []omsapi.Task) bool) (omsapi.Order, error) {
	return Follow(ctx, r.env.API, r.OrderID, what, func(line string) { r.say("%s", line) }, done)
}

// waitForTask waits until the order's task of the type reaches the status and returns it.
func (r *Run) waitForTask(ctx context.Context, taskType domain.TaskType, status domain.TaskStatus) (omsapi.Task, error) {
	var found omsapi.Task
	_, err := r.waitFor(ctx, fmt.Sprintf("%s to be %s", taskType, status), func(_ omsapi.Order, tasks []omsapi.Task) bool {
		for _, t := range tasks {
			if t.TaskType == string(taskType) && t.Status == string(status) {
				found = t
				return true
			}
		}
		return false
	})
	return found, err
}

func (r *Run) processInstanceKey(ctx context.Context) (string, error) {
	s, err := r.env.API.Start(ctx, r.OrderID)
	if err != nil {
		return "", err
	}
	if s.ProcessInstanceKey == "" {
		return "", errors.New("the order's process has not started")
	}
	return s.ProcessInstanceKey, nil
}

// InspectCommands are the fleetctl commands an operator runs to look at an order's instance:
// its elements, variables and incidents, then the order's incidents across its instances.
func InspectCommands(processInstanceKey, orderID string) []string {
	return []string{"fleetctl instance " + processInstanceKey, "fleetctl incidents --order " + orderID}
}

// waitForElement waits until the engine shows the order's instance at the BPMN element.
func (r *Run) waitForElement(ctx context.Context, elementID string) error {
	key, err := r.processInstanceKey(ctx)
	if err != nil {
		return err
	}
	n, err := strconv.ParseInt(key, 10, 64)
	if err != nil {
		return err
	}
	r.say("waiting for the instance to reach %s…", elementID)
	_, err = r.env.Engine.WaitForElement(ctx, n, elementID)
	return err
}
