package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/adapter"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/enginetest"
	"github.com/orderfleet/orderfleet/internal/fulfillment"
	"github.com/orderfleet/orderfleet/internal/simulator"
)

// restartOrders is how many orders are in flight when the engine dies.
const restartOrders = 100

// TestEngineKilledAndRestartedLosesNoOrder captures 100 FIBER_LITE orders (a synchronous
// reservation, an asynchronous provisioning request answered by signed callback, the installed
// base update and a notification), SIGKILLs the stack's engine while many are in flight, starts it
// again with `stack.sh up engine`, and checks that every order completes with exactly one partner
// effect per external task: jobs the dead engine had handed out come back, results the router could
// not publish are published again, and no retried job repeats an effect.
func TestEngineKilledAndRestartedLosesNoOrder(t *testing.T) {
	for _, p := range stack.fleet {
		dumpLogsOnFailure(t, p)
	}
	// Other test processes on this engine finish first and wait until it is back.
	waitFrom := time.Now()
	enginetest.OwnEngine(t)
	t.Logf("engine lock taken after %.1fs", time.Since(waitFrom).Seconds())
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	started := time.Now()

	orders := make([]fulfillment.CapturedOrder, 0, restartOrders)
	ids := make([]string, 0, restartOrders)
	for range restartOrders {
		o := captureProduct(t, ctx, asyncTenant, "FIBER_LITE")
		orders = append(orders, o)
		ids = append(ids, o.OrderID)
	}
	t.Logf("%d orders captured in %.1fs", restartOrders, time.Since(started).Seconds())

	// Kill once a few orders are done, while most are still on their way.
	var atKill map[domain.OrderStatus]int
	for {
		atKill = orderStatusCounts(t, ctx, ids)
		if atKill[domain.OrderCompleted] >= 3 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("no order completed before the kill: %v", atKill)
		case <-time.After(50 * time.Millisecond):
		}
	}
	if inFlight := restartOrders - atKill[domain.OrderCompleted]; inFlight < restartOrders/2 {
		t.Fatalf("only %d of %d orders in flight at the kill (%v): the test proves too little", inFlight, restartOrders, atKill)
	}
	killStackEngine(t)
	killedAt := time.Now()
	time.Sleep(time.Second)
	restartStackEngine(t, ctx)
	t.Logf("orders at the kill (%.1fs after capture): %v; engine back after %.1fs",
		killedAt.Sub(started).Seconds(), atKill, time.Since(killedAt).Seconds())

	waitAllCompleted(t, ctx, orders, ids)
	t.Logf("all %d orders COMPLETED %.1fs after the kill", restartOrders, time.Since(killedAt).Seconds())

	sim := simulator.NewClient(stack.simulatorURL)
	repeated := 0
	for _, o := range orders {
		repeated += assertOneEffectPerExternalTask(t, ctx, sim, o)
	}
	t.Logf("ledger checked: %d partner requests were repeats of a key already seen; whole test %.1fs",
		repeated, time.Since(started).Seconds())
}

// orderStatusCounts counts the given orders by status in one query.
func orderStatusCounts(t *testing.T, ctx context.Context, ids []string) map[domain.OrderStatus]int {
	t.Helper()
	rows, err := stack.pool.Query(ctx, `select status, count(*) from customer_order
		where tenant_id = $1 and id::text = any($2) group by status`, asyncTenant, ids)
	if err != nil {
		t.Fatalf("order statuses: %v", err)
	}
	defer rows.Close()
	counts := map[domain.OrderStatus]int{}
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			t.Fatal(err)
		}
		counts[domain.OrderStatus(status)] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return counts
}

// waitAllCompleted polls until every order is COMPLETED; an order in another end state fails at
// once, and at the deadline the test names the orders still open and where their tasks stand.
func waitAllCompleted(t *testing.T, ctx context.Context, orders []fulfillment.CapturedOrder, ids []string) {
	t.Helper()
	for {
		counts := orderStatusCounts(t, ctx, ids)
		if counts[domain.OrderCompleted] == len(ids) {
			return
		}
		for status, n := range counts {
			if status != domain.OrderCompleted && status.IsEndState() {
				t.Fatalf("%d orders ended %s after the engine restart: %v", n, status, counts)
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("orders not all COMPLETED after the engine restart: %v\n%s", counts, describeOpenOrders(orders, 10))
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// describeOpenOrders lists up to max unfinished orders with each task's status, for a stuck run.
func describeOpenOrders(orders []fulfillment.CapturedOrder, max int) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var b strings.Builder
	for _, o := range orders {
		if max == 0 {
			break
		}
		order, err := stack.store.GetOrder(ctx, o.TenantID, o.OrderID)
		if err != nil || order.Status == domain.OrderCompleted {
			continue
		}
		max--
		fmt.Fprintf(&b, "order %s %s:", o.OrderID, order.Status)
		if plan, err := stack.store.GetPlan(ctx, o.TenantID, o.FulfillmentPlanID); err == nil {
			for _, task := range plan.Tasks {
				fmt.Fprintf(&b, " %s=%s(attempts %d)", task.Type, task.Status, task.Attempts)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// assertOneEffectPerExternalTask checks the simulator's ledger for one order: every task a partner
// performs has exactly one effect, however many deliveries the restart caused, and nothing else has any.
// It returns how many deliveries repeated a key, for the log.
func assertOneEffectPerExternalTask(t *testing.T, ctx context.Context, sim *simulator.Client, o fulfillment.CapturedOrder) int {
	t.Helper()
	plan, err := stack.store.GetPlan(ctx, o.TenantID, o.FulfillmentPlanID)
	if err != nil {
		t.Fatalf("plan of order %s: %v", o.OrderID, err)
	}
	page, err := sim.Ledger(ctx, simulator.Query{OrderID: o.OrderID})
	if err != nil {
		t.Fatalf("ledger of order %s: %v", o.OrderID, err)
	}
	effects, repeated := map[string]int{}, 0
	for _, e := range page.Entries {
		effects[e.TaskID] += e.Effects
		repeated += e.Deliveries - 1
	}
	external := 0
	for _, task := range plan.Tasks {
		partner := slices.Contains(adapter.Systems, task.OwnerSystem) &&
			(task.Mode == domain.ModeAutomatedSync || task.Mode == domain.ModeAutomatedAsync)
		if partner {
			external++
		}
		want := 0
		if partner {
			want = 1
		}
		if effects[task.ID] != want {
			t.Errorf("order %s task %s (%s): %d effects in the ledger, want %d", o.OrderID, task.Type, task.ID, effects[task.ID], want)
		}
	}
	if external == 0 || page.Effects != external {
		t.Errorf("order %s: %d effects in the ledger for %d external tasks", o.OrderID, page.Effects, external)
	}
	return repeated
}

// stackDir is where `deploy/local/stack.sh` keeps its pid files, as the test's environment says.
func stackDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("ORDERFLEET_STACK_DIR"); dir != "" {
		return dir
	}
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, ".stack")
}

// processStartTicks is field 22 of /proc/PID/stat, so a recycled pid is never taken for the engine.
func processStartTicks(pid int) (string, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", err
	}
	// The command name (field 2) is in parentheses and may hold spaces; count from after it.
	rest := string(stat[strings.LastIndexByte(string(stat), ')')+1:])
	fields := strings.Fields(rest)
	if len(fields) < 20 {
		return "", fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	return fields[19], nil // field 22 overall; fields[0] is field 3 (state)
}

// killStackEngine SIGKILLs the engine recorded in the stack's pid file and waits until it is gone.
func killStackEngine(t *testing.T) {
	t.Helper()
	pidFile := filepath.Join(stackDir(t), "run", "engine.pid")
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the stack's engine pid file: %v (is the stack up, with this ORDERFLEET_STACK_DIR?)", err)
	}
	fields := strings.Fields(string(data))
	if len(fields) < 2 {
		t.Fatalf("%s: want \"pid start-ticks …\", got %q", pidFile, data)
	}
	pid, err := strconv.Atoi(fields[0])
	if err != nil {
		t.Fatalf("%s: pid %q: %v", pidFile, fields[0], err)
	}
	ticks, err := processStartTicks(pid)
	if err != nil || ticks != fields[1] {
		t.Fatalf("%s names pid %d started at %s, but that process is not running (start %q, %v)", pidFile, pid, fields[1], ticks, err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("SIGKILL engine pid %d: %v", pid, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		// Gone, or a zombie waiting for its (init) parent: either way it serves nothing.
		if err != nil || strings.Contains(string(stat), ") Z ") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("engine pid %d still alive 10s after SIGKILL", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// restartStackEngine starts the engine as `make stack-up` would, with the test's environment
// (ORDERFLEET_STACK_DIR and port overrides included); the script returns once the engine is ready.
func restartStackEngine(t *testing.T, ctx context.Context) {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "deploy/local/stack.sh"), "up", "engine")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("stack.sh up engine: %v\n%s", err, out)
	}
}
