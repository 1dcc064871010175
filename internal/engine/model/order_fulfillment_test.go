package model

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
)

func parseOrderFulfillment(t *testing.T) (*Definitions, []byte) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "bpmn", "order-fulfillment-v1.bpmn"))
	if err != nil {
		t.Fatal(err)
	}
	defs, err := Parse("order-fulfillment-v1.bpmn", data)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return defs, data
}

func TestOrderFulfillmentParses(t *testing.T) {
	defs, data := parseOrderFulfillment(t)
	if defs.Checksum != sha256.Sum256(data) || defs.ResourceName != "order-fulfillment-v1.bpmn" {
		t.Errorf("resource name %q / checksum not kept", defs.ResourceName)
	}
	if len(defs.Processes) != 1 {
		t.Fatalf("processes: %d", len(defs.Processes))
	}
	p := defs.Processes[0]
	if p.ID != "order-fulfillment-v1" || p.Name != "Order fulfillment v1" || p.Root.Type != ProcessType {
		t.Errorf("process %q %q %s", p.ID, p.Name, p.Root.Type)
	}
	el := func(id string) *Element {
		t.Helper()
		e := p.Element(id)
		if e == nil {
			t.Fatalf("element %s missing", id)
		}
		return e
	}

	if s := p.NoneStartEvent(); s == nil || s.ID != "FulfillmentRequested" || len(p.Root.StartEvents) != 1 {
		t.Errorf("process start: %v", s)
	}
	load := el("LoadFulfillmentPlan")
	if load.Type != ServiceTask || load.JobType.Source != "load-fulfillment-plan" || !load.JobType.Static || load.JobRetries.Source != "3" {
		t.Errorf("LoadFulfillmentPlan: %+v", load)
	}
	if load.Parent != p.Root || len(load.Outgoing) != 1 || load.Outgoing[0].Target.ID != "PlanExecutable" {
		t.Errorf("LoadFulfillmentPlan wiring")
	}

	// Default flows and conditions.
	gw := el("PlanExecutable")
	if gw.Type != ExclusiveGateway || gw.DefaultFlow == nil || gw.DefaultFlow.ID != "Flow_PlanExecutable" {
		t.Errorf("PlanExecutable default: %+v", gw.DefaultFlow)
	}
	notExec := p.Flows["Flow_PlanNotExecutable"]
	if notExec.Condition == nil || notExec.Condition.Static || notExec.Condition.Source != "=planValid = false" || notExec.Condition.FEEL == nil {
		t.Errorf("condition: %+v", notExec.Condition)
	}
	whatNext := el("WhatNext")
	if whatNext.DefaultFlow.ID != "Flow_Stuck" || len(whatNext.Outgoing) != 4 || whatNext.Outgoing[0].ID != "Flow_AllDone" {
		t.Errorf("WhatNext outgoing order / default")
	}

	// Scopes.
	plan := el("ExecutePlan")
	if plan.Type != SubProcess || plan.NoneStartEvent().ID != "ExecutePlanStarted" || el("NextRound").Parent != plan {
		t.Errorf("ExecutePlan scope")
	}
	cancel := el("Cancellation")
	if cancel.Type != EventSubProcess || !cancel.Interrupting || len(p.Root.EventSubProcesses) != 1 || p.Root.EventSubProcesses[0] != cancel {
		t.Errorf("Cancellation event subprocess: %+v", cancel)
	}
	cancelStart := el("CancellationRequested")
	if cancelStart.EventType != MessageEvent || cancelStart.Message.Name.Source != "order-cancellation-requested" ||
		cancelStart.Message.CorrelationKey.Source != `=tenantId + ":" + orderId` || cancel.StartEvents[0] != cancelStart {
		t.Errorf("cancellation start: %+v", cancelStart.Message)
	}

	// Multi-instance.
	run := el("RunReadyTasks")
	if run.Loop == nil || run.Loop.Sequential || run.Loop.InputCollection.Source != "=readyTasks" || run.Loop.InputElement != "readyTask" ||
		run.Loop.OutputCollection != "" || run.Loop.OutputElement != nil {
		t.Errorf("RunReadyTasks loop: %+v", run.Loop)
	}
	if len(run.Inputs) != 6 || run.Inputs[0].Target != "currentTaskId" || run.Inputs[0].Source.Source != "=readyTask.taskId" {
		t.Errorf("RunReadyTasks inputs: %+v", run.Inputs)
	}
	comp := el("ExecuteCompensationTasks")
	if comp.Loop == nil || !comp.Loop.Sequential || comp.Loop.InputElement != "currentCompensationStepId" {
		t.Errorf("ExecuteCompensationTasks loop: %+v", comp.Loop)
	}

	// Messages: the correlation key comes from the referenced bpmn:message.
	await := el("AwaitExternalResult")
	if await.Type != ReceiveTask || await.Message.ID != "Message_ExternalResult" || await.Message.Name.Static ||
		await.Message.Name.Source != "=readyTask.resultMessage" ||
		await.Message.CorrelationKey.Source != `=tenantId + ":" + orderId + ":" + currentTaskId` {
		t.Errorf("AwaitExternalResult message: %+v", await.Message)
	}

	// Boundary events.
	timeout := el("ExternalResultTimeout")
	if timeout.Type != BoundaryEvent || timeout.AttachedTo != await || !timeout.Interrupting || timeout.Parent != run ||
		timeout.Timer.Kind != TimerDuration || timeout.Timer.Value.Source != "=readyTask.timeout" {
		t.Errorf("ExternalResultTimeout: %+v", timeout)
	}
	if len(await.BoundaryEvents) != 1 || await.BoundaryEvents[0] != timeout {
		t.Errorf("AwaitExternalResult boundary list")
	}
	if len(plan.BoundaryEvents) != 2 {
		t.Errorf("ExecutePlan boundaries: %d", len(plan.BoundaryEvents))
	}
	if b := plan.ErrorBoundary("REPAIR_MANUAL_CLOSE"); b == nil || b.ID != "ClosedManually" {
		t.Errorf("error boundary for REPAIR_MANUAL_CLOSE: %v", b)
	}
	if b := plan.ErrorBoundary("SOMETHING_ELSE"); b != nil {
		t.Errorf("unexpected catch of SOMETHING_ELSE by %s", b.ID)
	}

	// Error end events throw codes the boundaries catch.
	end := el("RepairRequestsCompensation")
	if end.Type != EndEvent || end.EventType != ErrorEvent || end.Error.Code.Source != "REPAIR_COMPENSATE" {
		t.Errorf("RepairRequestsCompensation: %+v", end.Error)
	}
	if el("CompensationRequested").Error.Code.Source != "REPAIR_COMPENSATE" {
		t.Errorf("CompensationRequested code")
	}

	// Job-based user task.
	manual := el("ManualTask")
	if manual.Type != UserTask || manual.JobType.Source != UserTaskJobType || manual.JobRetries.Source != "1" {
		t.Errorf("ManualTask job: %+v", manual)
	}
	if len(manual.Headers) != 1 || manual.Headers[0].Key != "io.camunda.zeebe:candidateGroups" || manual.Headers[0].Value != `["fulfillment-operations"]` {
		t.Errorf("ManualTask headers: %+v", manual.Headers)
	}

	// Input mapping with a FEEL string literal.
	start := el("StartRepairCompensation")
	if len(start.Inputs) != 1 || start.Inputs[0].Source.Source != `="FALLOUT_REPAIR"` || start.Inputs[0].Target != "compensationReason" {
		t.Errorf("StartRepairCompensation inputs: %+v", start.Inputs)
	}

	for id, f := range p.Flows {
		if f.Source.Parent != f.Target.Parent {
			t.Errorf("flow %s crosses scopes", id)
		}
	}
	if len(p.Flows) != 62 || len(p.Elements) != 64 {
		t.Errorf("elements %d flows %d", len(p.Elements), len(p.Flows))
	}
}
