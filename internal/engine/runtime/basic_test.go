package runtime

import (
	"testing"
)

func TestServiceTaskCompletesInstance(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/>`+task("a", "work", `<zeebe:taskHeaders><zeebe:header key="k" value="v"/></zeebe:taskHeaders>`)+`<bpmn:endEvent id="end"/>`+
		flow("f1", "s", "a", "")+flow("f2", "a", "end", ""), ""))
	in := e.start(d, `{"orderId":"o-1","big":9007199254740993}`)
	j := e.job("work")
	if j.CustomHeaders["k"] != "v" || j.Retries != 3 || j.ElementID != "a" || j.ProcessInstanceKey != in.Key {
		t.Fatalf("job %+v", j)
	}
	got := in.VisibleVariables(j.ElementInstanceKey, nil)
	if string(got["big"]) != "9007199254740993" {
		t.Fatalf("visible big = %s", got["big"])
	}
	in = e.complete(in, j, `{"result":  {"ok": true}, "orderId":"o-2"}`)
	if in.State != InstanceCompleted || in.EndedAt == nil || !in.EndedAt.Equal(e.now) {
		t.Fatalf("state %s ended %v", in.State, in.EndedAt)
	}
	if len(in.Elements) != 0 {
		t.Fatalf("elements left: %v", in.Elements)
	}
	if rootVar(t, in, "result") != `{"ok":true}` || rootVar(t, in, "orderId") != `"o-2"` {
		t.Fatalf("root vars %v", in.RootVariables())
	}
	want := []string{"s", "a", "end", "p"}
	if got := e.completed(); len(got) != 4 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || got[3] != want[3] {
		t.Fatalf("completed %v", got)
	}
	last := e.records[len(e.records)-1]
	if last.Intent != "ELEMENT_COMPLETED" || last.Key != in.Key || last.ElementType != "PROCESS" {
		t.Fatalf("last record %+v", last)
	}
	if err := in.CompleteJob(e, j, nil); err == nil {
		t.Fatal("completing a job twice must fail")
	}
}

func TestExclusiveGatewayAndIncident(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g"/>`+task("big", "big", "")+task("small", "small", "")+
		flow("f1", "s", "g", "")+flow("fb", "g", "big", "=amount &gt; 100")+flow("fs", "g", "small", "=amount &lt;= 100"), ""))
	e.start(d, `{"amount":150}`)
	e.job("big")

	in := e.start(d, `{"amount":"x"}`)
	inc := e.incidents()
	if len(inc) != 1 || inc[0].Type != IncidentConditionError || inc[0].ElementID != "g" {
		t.Fatalf("incidents %+v", inc)
	}
	if active(in) != "g" || in.Elements[inc[0].ElementInstanceKey].State != ElementActivating {
		t.Fatalf("active %s", active(in))
	}
	if err := in.SetVariables(e, in.Key, jsonVars(t, `{"amount":5}`), false); err != nil {
		t.Fatal(err)
	}
	if err := in.ResolveIncident(e, inc[0].Key); err != nil {
		t.Fatal(err)
	}
	in = roundTrip(t, in)
	if active(in) != "small" || len(e.incidents()) != 0 {
		t.Fatalf("after resolve active %s incidents %v", active(in), e.incidents())
	}
}

func TestParallelForkJoinAndSubprocessScope(t *testing.T) {
	e := newTestEnv(t)
	d := e.deploy(doc(`<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/><bpmn:parallelGateway id="join"/>`+
		`<bpmn:subProcess id="sub"><bpmn:extensionElements><zeebe:ioMapping><zeebe:input source="=1" target="local"/><zeebe:output source="=local + 1" target="fromSub"/></zeebe:ioMapping></bpmn:extensionElements>`+
		`<bpmn:startEvent id="ss"/>`+task("inner", "inner", "")+`<bpmn:endEvent id="se"/>`+flow("i1", "ss", "inner", "")+flow("i2", "inner", "se", "")+`</bpmn:subProcess>`+
		task("b", "b", "")+task("after", "after", "")+
		flow("f1", "s", "fork", "")+flow("f2", "fork", "sub", "")+flow("f3", "fork", "b", "")+flow("f4", "sub", "join", "")+flow("f5", "b", "join", "")+flow("f6", "join", "after", ""), ""))
	in := e.start(d, `{}`)
	if active(in) != "b,inner,sub" {
		t.Fatalf("active %s", active(in))
	}
	ji := e.job("inner")
	if v := in.VisibleVariables(ji.ElementInstanceKey, []string{"local"}); string(v["local"]) != "1" {
		t.Fatalf("inner sees %v", v)
	}
	in = e.complete(in, ji, `{"local":5,"newVar":"x"}`)
	if rootVar(t, in, "fromSub") != "6" || rootVar(t, in, "newVar") != `"x"` || rootVar(t, in, "local") != "" {
		t.Fatalf("root %v", in.RootVariables())
	}
	if active(in) != "b" {
		t.Fatalf("join must wait: active %s", active(in))
	}
	in = e.complete(in, e.job("b"), "")
	if active(in) != "after" {
		t.Fatalf("active %s", active(in))
	}
}
