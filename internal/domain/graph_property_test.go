package domain

import (
	"fmt"
	"math/rand"
	"testing"
)

// hasCycleOracle is Kahn's algorithm, an implementation independent of the
// depth-first search under test.
func hasCycleOracle(g []GraphNode) bool {
	indeg := map[string]int{}
	users := map[string][]string{}
	for _, n := range g {
		indeg[n.ID] += 0
		for _, d := range n.DependsOn {
			indeg[n.ID]++
			users[d] = append(users[d], n.ID)
		}
	}
	var queue []string
	for id, d := range indeg {
		if d == 0 {
			queue = append(queue, id)
		}
	}
	seen := 0
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		seen++
		for _, u := range users[id] {
			indeg[u]--
			if indeg[u] == 0 {
				queue = append(queue, u)
			}
		}
	}
	return seen != len(g)
}

// isRealCycle checks that the reported ids form a cycle along the edges.
func isRealCycle(g []GraphNode, cycle []string) bool {
	if len(cycle) == 0 {
		return false
	}
	deps := map[string]map[string]bool{}
	for _, n := range g {
		deps[n.ID] = map[string]bool{}
		for _, d := range n.DependsOn {
			deps[n.ID][d] = true
		}
	}
	for i, id := range cycle {
		next := cycle[(i+1)%len(cycle)]
		if !deps[id][next] {
			return false
		}
	}
	return true
}

// randomDAG builds n nodes where node i may depend only on nodes < i, then
// shuffles them so input order does not hint at the topology.
func randomDAG(r *rand.Rand, n int, density float64) []GraphNode {
	g := make([]GraphNode, n)
	for i := range g {
		g[i].ID = fmt.Sprintf("t%03d", i)
		for j := 0; j < i; j++ {
			if r.Float64() < density {
				g[i].DependsOn = append(g[i].DependsOn, g[j].ID)
			}
		}
	}
	r.Shuffle(len(g), func(a, b int) { g[a], g[b] = g[b], g[a] })
	return g
}

func planFromGraph(t testing.TB, g []GraphNode, optional map[string]bool) *Plan {
	t.Helper()
	tasks := make([]*Task, len(g))
	for i, n := range g {
		tasks[i] = &Task{ID: n.ID, Type: TaskReserveResource, Mode: ModeAutomatedSync, Optional: optional[n.ID],
			Retry: RetryPolicy{MaxAttempts: 2}, DependsOn: append([]string(nil), n.DependsOn...)}
	}
	p, err := NewPlan("plan", "tenant-a", "order", CompletionAllowsBillingPending, tasks, testCause("FUZZ"))
	if err != nil {
		t.Fatalf("NewPlan on a DAG: %v", err)
	}
	return p
}

// executeRandomly runs the plan the way the workflow loop does, starting a
// random subset of ready tasks each round and sometimes failing optional
// ones. It checks the ready-set invariant on every round and returns the
// number of rounds.
func executeRandomly(t testing.TB, r *rand.Rand, p *Plan) int {
	t.Helper()
	// checkReady asserts the invariant against the plan's current state:
	// every ready task has all dependencies done and is not itself running.
	checkReady := func(round int, when string) []string {
		ready := p.ReadyTaskIDs()
		for _, id := range ready {
			task := mustTask(p, id)
			if task.Status != TaskReady && task.Status != TaskPending {
				t.Fatalf("round %d (%s): %s returned ready while %s", round, when, id, task.Status)
			}
			for _, d := range task.DependsOn {
				if dep := mustTask(p, d); !dep.Status.Done() && !(dep.Optional && dep.Status == TaskFailed) {
					t.Fatalf("round %d (%s): %s returned ready but dependency %s is %s", round, when, id, d, dep.Status)
				}
			}
		}
		return ready
	}
	limit := 2*len(p.Tasks) + 1
	for round := 0; ; round++ {
		if round > limit {
			t.Fatalf("execution did not terminate within %d rounds", limit)
		}
		ready := checkReady(round, "start")
		if len(ready) == 0 {
			return round
		}
		// Start a random non-empty subset, so every round makes progress,
		// then settle them one by one, re-checking while others run.
		r.Shuffle(len(ready), func(a, b int) { ready[a], ready[b] = ready[b], ready[a] })
		started := ready[:1+r.Intn(len(ready))]
		for _, id := range started {
			if _, err := p.StartTask(id, AttemptRequest{}, testCause("RUN")); err != nil {
				t.Fatalf("StartTask(%s): %v", id, err)
			}
		}
		checkReady(round, "running")
		var failedRequired []string
		for _, id := range started {
			task := mustTask(p, id)
			var err error
			switch {
			case task.Optional && r.Intn(3) == 0:
				_, err = p.FailTask(id, TaskFailure{Code: "BOOM"}, testCause("RUN"))
			case !task.Optional && task.Attempts == 1 && r.Intn(4) == 0:
				_, err = p.FailTask(id, TaskFailure{Code: "BOOM"}, testCause("RUN"))
				failedRequired = append(failedRequired, id)
			default:
				_, err = p.CompleteTask(id, TaskResult{}, testCause("RUN"))
			}
			if err != nil {
				t.Fatalf("settle %s: %v", id, err)
			}
			checkReady(round, "settled "+id)
		}
		// A failed required task holds its dependents until it is retried.
		for _, id := range failedRequired {
			if _, err := p.RetryTask(id, testCause("RETRY")); err != nil {
				t.Fatalf("retry %s: %v", id, err)
			}
		}
	}
}

func mustTask(p *Plan, id string) *Task {
	task, err := p.Task(id)
	if err != nil {
		panic(err)
	}
	return task
}

func TestRandomDAGExecution(t *testing.T) {
	r := rand.New(rand.NewSource(20260702))
	for i := 0; i < 3000; i++ {
		n := 1 + r.Intn(30)
		g := randomDAG(r, n, r.Float64()*0.5)
		if err := ValidateGraph(g); err != nil {
			t.Fatalf("graph %d: DAG rejected: %v", i, err)
		}
		optional := map[string]bool{}
		for _, node := range g {
			optional[node.ID] = r.Intn(4) == 0
		}
		p := planFromGraph(t, g, optional)
		executeRandomly(t, r, p)
		if !p.AllRequiredTasksDone() {
			t.Fatalf("graph %d: loop ended with required work left", i)
		}
		for _, task := range p.Tasks {
			if task.Status == TaskPending || task.Status == TaskReady {
				t.Fatalf("graph %d: task %s left %s", i, task.ID, task.Status)
			}
		}
	}
}

// TestInjectedCyclesAreDetected adds one back edge to a random DAG: if u
// (transitively) depends on v, making v depend on u closes a cycle.
func TestInjectedCyclesAreDetected(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	injected := 0
	for i := 0; i < 3000; i++ {
		g := randomDAG(r, 2+r.Intn(25), 0.1+r.Float64()*0.4)
		u, v, ok := pickReachablePair(r, g)
		if !ok {
			continue
		}
		for k := range g {
			if g[k].ID == v {
				g[k].DependsOn = append(g[k].DependsOn, u)
			}
		}
		injected++
		err := ValidateGraph(g)
		if ErrorCode(err) != ECYCLE {
			t.Fatalf("graph %d: injected cycle %s<->%s not detected: %v", i, u, v, err)
		}
		if !isRealCycle(g, ErrorRefs(err)) {
			t.Fatalf("graph %d: reported %v is not a cycle of the graph", i, ErrorRefs(err))
		}
	}
	if injected < 1000 {
		t.Fatalf("only %d cycles injected; generator too sparse", injected)
	}
}

// pickReachablePair returns u, v where u depends on v through one or more edges.
func pickReachablePair(r *rand.Rand, g []GraphNode) (string, string, bool) {
	deps := map[string][]string{}
	for _, n := range g {
		deps[n.ID] = n.DependsOn
	}
	for tries := 0; tries < 10; tries++ {
		u := g[r.Intn(len(g))].ID
		var reach []string
		seen := map[string]bool{}
		stack := append([]string(nil), deps[u]...)
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if !seen[x] {
				seen[x] = true
				reach = append(reach, x)
				stack = append(stack, deps[x]...)
			}
		}
		if len(reach) > 0 {
			return u, reach[r.Intn(len(reach))], true
		}
	}
	return "", "", false
}
