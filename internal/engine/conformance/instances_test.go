package conformance

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/pb"
	"google.golang.org/grpc/codes"
)

// docs: components/concepts/process-instance-creation (by key, by id latest, by id and version)
func TestCreateInstanceByKeyIDAndVersion(t *testing.T) {
	parallel(t)
	pid, t1, t2 := uniq("create"), uniq("create-v1"), uniq("create-v2")
	v1 := deploy(t, oneTask(pid, t1))
	v2 := deploy(t, oneTask(pid, t2))
	if v1.Version != 1 || v2.Version != 2 {
		t.Fatalf("versions %d and %d, want 1 and 2", v1.Version, v2.Version)
	}
	t.Run("ByKey", func(t *testing.T) {
		resp, err := gw.CreateProcessInstance(ctxT(t), &pb.CreateProcessInstanceRequest{ProcessDefinitionKey: v1.ProcessDefinitionKey})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Version != 1 || resp.BpmnProcessId != pid {
			t.Errorf("answer %+v", resp)
		}
		if j := waitJob(t, t1); j.ProcessInstanceKey != resp.ProcessInstanceKey {
			t.Errorf("v1 job of %d, want %d", j.ProcessInstanceKey, resp.ProcessInstanceKey)
		}
	})
	t.Run("ByIDLatest", func(t *testing.T) {
		resp, err := gw.CreateProcessInstance(ctxT(t), &pb.CreateProcessInstanceRequest{BpmnProcessId: pid, Version: -1})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Version != 2 || resp.ProcessDefinitionKey != v2.ProcessDefinitionKey {
			t.Errorf("answer %+v, want version 2", resp)
		}
		waitJob(t, t2)
	})
	t.Run("ByIDAndVersion", func(t *testing.T) {
		resp, err := gw.CreateProcessInstance(ctxT(t), &pb.CreateProcessInstanceRequest{BpmnProcessId: pid, Version: 1})
		if err != nil {
			t.Fatal(err)
		}
		if resp.Version != 1 {
			t.Errorf("answer %+v, want version 1", resp)
		}
		waitJob(t, t1)
	})
}

// docs: apis-tools/zeebe-api/gateway-service (CreateProcessInstance errors: NOT_FOUND)
func TestCreateInstanceNotFound(t *testing.T) {
	parallel(t)
	pid := uniq("create-nf")
	deploy(t, oneTask(pid, uniq("create-nf-type")))
	for name, req := range map[string]*pb.CreateProcessInstanceRequest{
		"UnknownID":      {BpmnProcessId: uniq("no-such-process"), Version: -1},
		"UnknownKey":     {ProcessDefinitionKey: 2251799813685249 + 999999999},
		"UnknownVersion": {BpmnProcessId: pid, Version: 99},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := gw.CreateProcessInstance(ctxT(t), req)
			wantCode(t, err, codes.NotFound, name)
		})
	}
}

// docs: apis-tools/zeebe-api/gateway-service (CreateProcessInstance: variables must be a JSON object)
func TestCreateInstanceVariablesNotAnObject(t *testing.T) {
	parallel(t)
	pid := uniq("create-badvars")
	deploy(t, oneTask(pid, uniq("create-badvars-type")))
	for _, vars := range []string{`[1,2]`, `"text"`, `{not json`} {
		_, err := gw.CreateProcessInstance(ctxT(t), &pb.CreateProcessInstanceRequest{BpmnProcessId: pid, Version: -1, Variables: vars})
		wantCode(t, err, codes.InvalidArgument, "variables "+vars)
	}
}

// docs: components/concepts/process-instance-creation (create and await the result)
func TestCreateInstanceWithResult(t *testing.T) {
	parallel(t)
	pid, jt := uniq("with-result"), uniq("with-result-type")
	deploy(t, oneTask(pid, jt))
	go func() {
		defer func() { _ = recover() }()
		if j := activate(t, jt, 1, time.Minute, 10*time.Second); len(j) == 1 {
			_, _ = gw.CompleteJob(ctxT(t), &pb.CompleteJobRequest{JobKey: j[0].Key, Variables: `{"total":42}`})
		}
	}()
	resp, err := gw.CreateProcessInstanceWithResult(ctxT(t), &pb.CreateProcessInstanceWithResultRequest{
		Request: &pb.CreateProcessInstanceRequest{BpmnProcessId: pid, Version: -1, Variables: `{"in":"x"}`}, RequestTimeout: 12000})
	if err != nil {
		t.Fatalf("create with result: %v", err)
	}
	var vars map[string]any
	if err := json.Unmarshal([]byte(resp.Variables), &vars); err != nil {
		t.Fatalf("result variables %q: %v", resp.Variables, err)
	}
	if vars["total"] != float64(42) || vars["in"] != "x" {
		t.Errorf("result variables %s", resp.Variables)
	}
}

// docs: apis-tools/zeebe-api/gateway-service (CancelProcessInstance, NOT_FOUND for unknown or ended)
func TestCancelProcessInstance(t *testing.T) {
	parallel(t)
	pid, jt := uniq("cancel"), uniq("cancel-type")
	pi := deployStart(t, oneTask(pid, jt), pid, nil)
	if _, err := gw.CancelProcessInstance(ctxT(t), &pb.CancelProcessInstanceRequest{ProcessInstanceKey: pi}); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	waitState(t, pi, "TERMINATED")
	noJob(t, jt, 200*time.Millisecond)
	_, err := gw.CancelProcessInstance(ctxT(t), &pb.CancelProcessInstanceRequest{ProcessInstanceKey: pi})
	wantCode(t, err, codes.NotFound, "cancel an ended instance")
	_, err = gw.CancelProcessInstance(ctxT(t), &pb.CancelProcessInstanceRequest{ProcessInstanceKey: 2251799813685249 + 88888888})
	wantCode(t, err, codes.NotFound, "cancel an unknown instance")
}

// docs: components/concepts/process-instance-modification (activate an element, terminate another)
func TestModifyProcessInstance(t *testing.T) {
	parallel(t)
	pid, a, b := uniq("modify"), uniq("modify-a"), uniq("modify-b")
	pi := deployStart(t, twoTasks(pid, a, b), pid, nil)
	ja := waitJob(t, a)
	_, err := gw.ModifyProcessInstance(ctxT(t), &pb.ModifyProcessInstanceRequest{
		ProcessInstanceKey:    pi,
		ActivateInstructions:  []*pb.ModifyProcessInstanceRequest_ActivateInstruction{{ElementId: "b", VariableInstructions: []*pb.ModifyProcessInstanceRequest_VariableInstruction{{Variables: `{"moved":true}`}}}},
		TerminateInstructions: []*pb.ModifyProcessInstanceRequest_TerminateInstruction{{ElementInstanceKey: ja.ElementInstanceKey}},
	})
	if err != nil {
		t.Fatalf("modify: %v", err)
	}
	wantCode(t, completeErr(t, ja.Key), codes.NotFound, "complete the terminated element's job")
	if j := completeNext(t, b, nil); varJSON(t, j, "moved") != "true" {
		t.Errorf("moved = %s in the activated element", varJSON(t, j, "moved"))
	}
	waitState(t, pi, "COMPLETED")
}

// docs: apis-tools/zeebe-api/gateway-service (DeleteResource: the definition can no longer be started)
func TestDeleteResource(t *testing.T) {
	parallel(t)
	pid := uniq("delete")
	p := deploy(t, oneTask(pid, uniq("delete-type")))
	if _, err := gw.DeleteResource(ctxT(t), &pb.DeleteResourceRequest{ResourceKey: p.ProcessDefinitionKey}); err != nil {
		t.Fatalf("delete resource: %v", err)
	}
	_, err := gw.CreateProcessInstance(ctxT(t), &pb.CreateProcessInstanceRequest{BpmnProcessId: pid, Version: -1})
	wantCode(t, err, codes.NotFound, "create an instance of a deleted process")
	_, err = gw.DeleteResource(ctxT(t), &pb.DeleteResourceRequest{ResourceKey: 2251799813685249 + 77777777})
	wantCode(t, err, codes.NotFound, "delete an unknown resource")
}

// docs: components/concepts/signals (signal start event and signal catch event)
func TestBroadcastSignal(t *testing.T) {
	parallel(t)
	t.Run("StartEvent", func(t *testing.T) {
		pid, sig, jt := uniq("signal-start"), uniq("signal-start"), uniq("signal-start-task")
		deploy(t, bpmnDoc(pid, newScope(signalStart("start", sig), task("task", jt), endEv("end")).chain("start", "task", "end")))
		if _, err := gw.BroadcastSignal(ctxT(t), &pb.BroadcastSignalRequest{SignalName: sig, Variables: `{"from":"signal"}`}); err != nil {
			t.Fatalf("broadcast: %v", err)
		}
		if j := waitJob(t, jt); j.BpmnProcessId != pid || varJSON(t, j, "from") != `"signal"` {
			t.Errorf("job of %s from=%s", j.BpmnProcessId, varJSON(t, j, "from"))
		}
	})
	// docs: components/modeler/bpmn/signal-events (signal boundary events)
	t.Run("BoundaryEvent", func(t *testing.T) {
		pid, sig, work, handle := uniq("signal-bnd"), uniq("signal-bnd"), uniq("signal-bnd-work"), uniq("signal-bnd-handle")
		xml := bpmnDoc(pid, newScope(startEv("start"), task("work", work), endEv("end"),
			boundarySignal("onSignal", "work", sig, true), task("handle", handle), endEv("handled")).
			chain("start", "work", "end").chain("onSignal", "handle", "handled"))
		pi := deployStart(t, xml, pid, nil)
		wj := waitJob(t, work)
		if _, err := gw.BroadcastSignal(ctxT(t), &pb.BroadcastSignalRequest{SignalName: sig, Variables: "{}"}); err != nil {
			t.Fatalf("broadcast: %v", err)
		}
		completeNext(t, handle, nil)
		wantCode(t, completeErr(t, wj.Key), codes.NotFound, "complete the job the signal interrupted")
		waitState(t, pi, "COMPLETED")
	})
	// docs: components/modeler/bpmn/signal-events (signal intermediate catch events)
	t.Run("CatchEvent", func(t *testing.T) {
		pid, sig, after := uniq("signal-catch"), uniq("signal-catch"), uniq("signal-catch-after")
		xml := bpmnDoc(pid, newScope(startEv("start"), catchSignal("wait", sig), task("after", after), endEv("end")).chain("start", "wait", "after", "end"))
		pi1 := deployStart(t, xml, pid, nil)
		pi2 := start(t, pid, nil)
		noJob(t, after, 200*time.Millisecond)
		if _, err := gw.BroadcastSignal(ctxT(t), &pb.BroadcastSignalRequest{SignalName: sig, Variables: "{}"}); err != nil {
			t.Fatalf("broadcast: %v", err)
		}
		got := map[int64]bool{}
		for range 2 {
			got[completeNext(t, after, nil).ProcessInstanceKey] = true
		}
		if !got[pi1] || !got[pi2] {
			t.Errorf("signal reached %v, want both %d and %d", got, pi1, pi2)
		}
	})
}
