package conformance

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/pb"
	"google.golang.org/grpc/codes"
)

// The project's own process, bpmn/order-fulfillment-v1.bpmn, driven path by path by scripted
// workers through the Go client. Its job types are fixed by the file, so these sub-tests run in
// the sequential phase (no t.Parallel) and each ends its instance; jobs are checked to belong to
// the sub-test's instance.

const orderProcessID = "order-fulfillment-v1"

func deployOrderFulfillment(t *testing.T) *pb.ProcessMetadata {
	t.Helper()
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	xml, err := os.ReadFile(filepath.Join(root, "bpmn", "order-fulfillment-v1.bpmn"))
	if err != nil {
		t.Fatal(err)
	}
	return deploy(t, string(xml))
}

// orderRun is one instance of the order process with its correlation values.
type orderRun struct {
	t      *testing.T
	pi     int64
	tenant string
	order  string
}

func startOrder(t *testing.T) *orderRun {
	r := &orderRun{t: t, tenant: "tenant-a", order: uniq("order")}
	r.pi = start(t, orderProcessID, map[string]any{"tenantId": r.tenant, "orderId": r.order, "schemaVersion": 1})
	t.Cleanup(func() {
		_, _ = gw.CancelProcessInstance(ctxT(t), &pb.CancelProcessInstanceRequest{ProcessInstanceKey: r.pi})
	})
	return r
}

// job waits for the next job of jobType and checks it belongs to this run's instance tree.
func (r *orderRun) job(jobType string) *pb.ActivatedJob {
	r.t.Helper()
	j := waitJob(r.t, jobType)
	if j.ProcessInstanceKey != r.pi {
		r.t.Fatalf("%s job of instance %d, want %d (a leftover of another run?)", jobType, j.ProcessInstanceKey, r.pi)
	}
	return j
}

func (r *orderRun) complete(jobType string, vars map[string]any) *pb.ActivatedJob {
	r.t.Helper()
	j := r.job(jobType)
	complete(r.t, j.Key, vars)
	return j
}

func (r *orderRun) key(parts ...string) string {
	k := r.tenant + ":" + r.order
	for _, p := range parts {
		k += ":" + p
	}
	return k
}

// plan is what load-fulfillment-plan returns.
func plan(valid bool, ready []map[string]any, allDone, suspended bool) map[string]any {
	if ready == nil {
		ready = []map[string]any{}
	}
	return map[string]any{"planValid": valid, "readyTasks": ready, "allRequiredTasksDone": allDone, "orderSuspended": suspended}
}

func readyTask(id, mode, timeout, resultMessage string) map[string]any {
	return map[string]any{"taskId": id, "mode": mode, "timeout": timeout, "resultMessage": resultMessage}
}

// finishOrder drives the tail: plan reloaded as done, installed base applied, order finalized.
func (r *orderRun) finishOrder() {
	r.t.Helper()
	r.complete("load-fulfillment-plan", plan(true, nil, true, false))
	r.complete("apply-installed-base-impact", nil)
	r.complete("finalize-order-fulfillment", map[string]any{"orderStatus": "COMPLETED"})
	waitState(r.t, r.pi, "COMPLETED")
	r.endedAt("OrderCompleted")
}

// endedAt checks that the instance passed through the end event id.
func (r *orderRun) endedAt(id string) {
	r.t.Helper()
	els := elementsOf(r.t, r.pi, id)
	if len(els) != 1 || els[0].State != "COMPLETED" {
		r.t.Errorf("end event %s: %+v, want one COMPLETED", id, els)
	}
}

// docs: components/modeler/bpmn/bpmn-coverage (the project's process uses only supported elements)
func TestOrderFulfillment(t *testing.T) {
	clockTest(t)
	p := deployOrderFulfillment(t)
	if p.BpmnProcessId != orderProcessID {
		t.Fatalf("deployed %q", p.BpmnProcessId)
	}

	// docs: components/modeler/bpmn/exclusive-gateways (plan not executable → end)
	t.Run("PlanInvalid", func(t *testing.T) {
		r := startOrder(t)
		r.complete("load-fulfillment-plan", plan(false, nil, false, false))
		waitState(t, r.pi, "COMPLETED")
		r.endedAt("NotExecutedByThisInstance")
	})

	// docs: components/modeler/bpmn/multi-instance (readyTasks drive the inner subprocess)
	t.Run("SyncTask", func(t *testing.T) {
		r := startOrder(t)
		r.complete("load-fulfillment-plan", plan(true, []map[string]any{readyTask("t1", "AUTOMATED_SYNC", "PT1H", "task-result")}, false, false))
		j := r.complete("execute-fulfillment-task", map[string]any{"taskOutcome": "DONE"})
		if varJSON(t, j, "currentTaskId") != `"t1"` || varJSON(t, j, "taskSettled") != "false" {
			t.Errorf("execute job currentTaskId=%s taskSettled=%s", varJSON(t, j, "currentTaskId"), varJSON(t, j, "taskSettled"))
		}
		r.finishOrder()
	})

	// docs: components/concepts/messages (the async task's result message)
	t.Run("AsyncTaskWithResultMessage", func(t *testing.T) {
		r := startOrder(t)
		msg := uniq("task-result")
		r.complete("load-fulfillment-plan", plan(true, []map[string]any{readyTask("t2", "AUTOMATED_ASYNC", "PT1H", msg)}, false, false))
		r.complete("submit-external-task-request", map[string]any{"taskSettled": false})
		publish(t, msg, r.key("t2"), 0, map[string]any{"externalResultEventId": "ev-1", "externalOutcome": "OK"})
		j := r.complete("apply-external-task-result", nil)
		if varJSON(t, j, "externalOutcome") != `"OK"` {
			t.Errorf("apply-external-task-result sees externalOutcome=%s", varJSON(t, j, "externalOutcome"))
		}
		r.finishOrder()
	})

	// docs: components/modeler/bpmn/user-tasks (job worker implementation)
	t.Run("ManualTask", func(t *testing.T) {
		r := startOrder(t)
		r.complete("load-fulfillment-plan", plan(true, []map[string]any{readyTask("t3", "MANUAL", "P2D", "")}, false, false))
		j := r.complete("io.camunda.zeebe:userTask", map[string]any{"taskOutcome": "DONE"})
		if hs := j.CustomHeaders; !contains(hs, "io.camunda.zeebe:candidateGroups") || !contains(hs, "fulfillment-operations") {
			t.Errorf("user task headers %s", hs)
		}
		r.finishOrder()
	})

	// docs: components/modeler/bpmn/timer-events (boundary timer from =readyTask.timeout)
	t.Run("TimeoutViaClock", func(t *testing.T) {
		r := startOrder(t)
		r.complete("load-fulfillment-plan", plan(true, []map[string]any{readyTask("t4", "WAIT_ONLY", "PT2H", uniq("never"))}, false, false))
		time.Sleep(200 * time.Millisecond)
		noJob(t, "apply-fulfillment-timeout", 200*time.Millisecond)
		clockAdd(t, 3*time.Hour)
		j := r.complete("apply-fulfillment-timeout", map[string]any{"timeoutAction": "SKIP"})
		if j.ElementId != "ApplyTimeout" {
			t.Errorf("timeout job on %s, want ApplyTimeout", j.ElementId)
		}
		r.finishOrder()
	})

	// docs: components/concepts/messages (fallout repaired → retry)
	t.Run("FalloutAndRepair", func(t *testing.T) {
		r := startOrder(t)
		r.complete("load-fulfillment-plan", plan(true, nil, false, false)) // nothing ready, not done: stuck
		r.complete("open-fulfillment-fallout", map[string]any{"falloutCaseId": "fc-1"})
		publish(t, "fulfillment-fallout-repaired", r.key("fc-1"), 0, map[string]any{"repairAction": "RETRY"})
		j := r.job("load-fulfillment-plan")
		if j.ElementId != "ReloadAfterRepair" {
			t.Errorf("reload on %s, want ReloadAfterRepair", j.ElementId)
		}
		complete(t, j.Key, plan(true, nil, true, false))
		r.complete("apply-installed-base-impact", nil)
		r.complete("finalize-order-fulfillment", map[string]any{"orderStatus": "COMPLETED"})
		waitState(t, r.pi, "COMPLETED")
	})

	// docs: components/modeler/bpmn/event-subprocesses (interrupting message event subprocess)
	t.Run("CancellationWithCompensation", func(t *testing.T) {
		r := startOrder(t)
		r.complete("load-fulfillment-plan", plan(true, []map[string]any{readyTask("t5", "AUTOMATED_SYNC", "PT1H", "x")}, false, false))
		running := r.job("execute-fulfillment-task")
		publish(t, "order-cancellation-requested", r.key(), 0, map[string]any{"cancellationReason": "customer"})
		sc := r.complete("start-compensation", map[string]any{"compensationStepIds": []string{"c1", "c2"}})
		if varJSON(t, sc, "compensationReason") != `"CUSTOMER_CANCELLED"` {
			t.Errorf("start-compensation compensationReason=%s", varJSON(t, sc, "compensationReason"))
		}
		wantCode(t, completeErr(t, running.Key), codes.NotFound, "complete the task the cancellation interrupted")
		for _, step := range []string{`"c1"`, `"c2"`} {
			if j := r.complete("execute-compensation-task", nil); varJSON(t, j, "currentCompensationStepId") != step {
				t.Errorf("compensation step %s, want %s", varJSON(t, j, "currentCompensationStepId"), step)
			}
		}
		r.complete("finalize-order-fulfillment", map[string]any{"orderStatus": "CANCELLED"})
		waitState(t, r.pi, "COMPLETED")
		r.endedAt("OrderCancelled")
	})

	// docs: components/modeler/bpmn/error-events (error boundary on the installed base task)
	t.Run("InstalledBaseConflict", func(t *testing.T) {
		r := startOrder(t)
		r.complete("load-fulfillment-plan", plan(true, nil, true, false))
		ib := r.job("apply-installed-base-impact")
		if _, err := gw.ThrowError(ctxT(t), &pb.ThrowErrorRequest{JobKey: ib.Key, ErrorCode: "INSTALLED_BASE_CONFLICT", ErrorMessage: "asset exists"}); err != nil {
			t.Fatalf("throw error: %v", err)
		}
		r.complete("open-fulfillment-fallout", map[string]any{"falloutCaseId": "ib-1"})
		publish(t, "fulfillment-fallout-repaired", r.key("ib-1"), 0, map[string]any{"repairAction": "RETRY"})
		r.complete("apply-installed-base-impact", nil)
		r.complete("finalize-order-fulfillment", map[string]any{"orderStatus": "PARTIALLY_COMPLETED"})
		waitState(t, r.pi, "COMPLETED")
		r.endedAt("OrderPartiallyCompleted")
	})
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
