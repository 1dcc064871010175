package runtime

import (
	"os"
	"strings"
	"testing"
)

func deployOrderFulfillment(t *testing.T, e *testEnv) *Definition {
	t.Helper()
	xml, err := os.ReadFile("../../../bpmn/order-fulfillment-v1.bpmn")
	if err != nil {
		t.Fatal(err)
	}
	return e.deploy(string(xml))
}

const plan = `{"planValid":true,"orderSuspended":false,"allRequiredTasksDone":false,"readyTasks":%s}`

func readyTasks(tasks ...string) string {
	return strings.Replace(plan, "%s", "["+strings.Join(tasks, ",")+"]", 1)
}

func TestOrderFulfillmentHappyPath(t *testing.T) {
	e := newTestEnv(t)
	d := deployOrderFulfillment(t, e)
	in := e.start(d, `{"tenantId":"t1","orderId":"o1","schemaVersion":1}`)
	if len(e.subs) != 1 {
		t.Fatalf("the cancellation event subprocess must subscribe: %v", e.subs)
	}
	in = e.complete(in, e.job("load-fulfillment-plan"),
		readyTasks(`{"taskId":"task-1","mode":"AUTOMATED_SYNC","timeout":"PT1H","resultMessage":"task-result"}`))
	j := e.job("execute-fulfillment-task")
	v := in.VisibleVariables(j.ElementInstanceKey, []string{"currentTaskId", "readyTask", "loopCounter", "taskSettled"})
	if string(v["currentTaskId"]) != `"task-1"` || string(v["loopCounter"]) != "1" || string(v["taskSettled"]) != "false" {
		t.Fatalf("task scope: %v", v)
	}
	in = e.complete(in, j, `{"taskOutcome":"DONE"}`)
	if active(in) != "ComputeNextReadyTasks,ExecutePlan" {
		t.Fatalf("after round: %s", active(in))
	}
	in = e.complete(in, e.job("load-fulfillment-plan"), `{"allRequiredTasksDone":true,"readyTasks":[]}`)
	in = e.complete(in, e.job("apply-installed-base-impact"), `{}`)
	in = e.complete(in, e.job("finalize-order-fulfillment"), `{"orderStatus":"COMPLETED"}`)
	if in.State != InstanceCompleted || !e.didComplete("OrderCompleted") || len(e.subs) != 0 || len(e.jobs) != 0 {
		t.Fatalf("state %s completed %v subs %v jobs %v", in.State, e.completed(), e.subs, e.jobs)
	}
	// taskOutcome is a local of the round (an input mapping): the job's value is merged there
	if rootVar(t, in, "taskOutcome") != "" {
		t.Fatalf("taskOutcome must stay in the round's scope, root has %s", rootVar(t, in, "taskOutcome"))
	}
}

func TestOrderFulfillmentAsyncMessageAndTimeout(t *testing.T) {
	e := newTestEnv(t)
	d := deployOrderFulfillment(t, e)
	in := e.start(d, `{"tenantId":"t1","orderId":"o1","schemaVersion":1}`)
	in = e.complete(in, e.job("load-fulfillment-plan"), readyTasks(
		`{"taskId":"a1","mode":"AUTOMATED_ASYNC","timeout":"PT2H","resultMessage":"task-result"}`,
		`{"taskId":"a2","mode":"AUTOMATED_ASYNC","timeout":"PT1H","resultMessage":"task-result"}`))
	submits := e.jobsOf("submit-external-task-request")
	if len(submits) != 2 {
		t.Fatalf("submit jobs %d", len(submits))
	}
	for _, j := range submits {
		in = e.complete(in, j, `{"taskSettled":false}`)
	}
	if active(in) != "AwaitExternalResult,AwaitExternalResult,ExecutePlan,RunReadyTasks,RunReadyTasks,RunReadyTasks" {
		t.Fatalf("waiting: %s", active(in))
	}
	if len(e.timers) != 2 || len(e.subs) != 3 {
		t.Fatalf("timers %d subs %d", len(e.timers), len(e.subs))
	}
	in = e.correlate(in, "task-result", "t1:o1:a1", `{"externalResultEventId":"ev-1","externalOutcome":"SUCCEEDED"}`)
	apply := e.job("apply-external-task-result")
	if v := in.VisibleVariables(apply.ElementInstanceKey, []string{"externalOutcome"}); string(v["externalOutcome"]) != `"SUCCEEDED"` {
		t.Fatalf("apply sees %v", v)
	}
	in = e.complete(in, apply, `{}`)
	in = e.fire(in, "ExternalResultTimeout")
	timeout := e.job("apply-fulfillment-timeout")
	in = e.complete(in, timeout, `{"timeoutAction":"FAILED"}`)
	if active(in) != "ComputeNextReadyTasks,ExecutePlan" || len(e.timers) != 0 || len(e.subs) != 1 {
		t.Fatalf("after round: active %s timers %v subs %v", active(in), e.timers, e.subs)
	}
	in = e.complete(in, e.job("load-fulfillment-plan"), `{"allRequiredTasksDone":true,"readyTasks":[]}`)
	in = e.complete(in, e.job("apply-installed-base-impact"), `{}`)
	in = e.complete(in, e.job("finalize-order-fulfillment"), `{"orderStatus":"PARTIALLY_COMPLETED"}`)
	if in.State != InstanceCompleted || !e.didComplete("OrderPartiallyCompleted") {
		t.Fatalf("state %s completed %v", in.State, e.completed())
	}
}
