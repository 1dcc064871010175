package conformance

import (
	"strconv"
	"testing"

	"github.com/camunda/zeebe/clients/go/v8/pkg/pb"
)

// docs: components/concepts/variables (variable scopes: a local variable is not visible outside)
func TestVariableScopesLocalNotVisibleOutside(t *testing.T) {
	parallel(t)
	pid, inner, after := uniq("var-scope"), uniq("var-scope-inner"), uniq("var-scope-after")
	sub := subProcess("sub", newScope(startEv("subStart"), task("inner", inner), endEv("subEnd")).chain("subStart", "inner", "subEnd")).
		withIO([][2]string{{`="inside"`, "local"}}, nil)
	xml := bpmnDoc(pid, newScope(startEv("start"), sub, task("after", after), endEv("end")).chain("start", "sub", "after", "end"))
	deployStart(t, xml, pid, nil)
	if j := completeNext(t, inner, nil); varJSON(t, j, "local") != `"inside"` {
		t.Errorf("inside the subprocess local = %s", varJSON(t, j, "local"))
	}
	if j := waitJob(t, after); varJSON(t, j, "local") != "<missing>" {
		t.Errorf("after the subprocess local = %s, want it gone with its scope", varJSON(t, j, "local"))
	}
}

// docs: components/concepts/variables (input and output mappings)
func TestVariableInputOutputMappings(t *testing.T) {
	parallel(t)
	pid, work, after := uniq("var-io"), uniq("var-io-work"), uniq("var-io-after")
	xml := bpmnDoc(pid, newScope(startEv("start"),
		task("work", work).withIO([][2]string{{"=order.id", "orderRef"}, {"=order.lines[1].qty + 1", "firstQty"}}, [][2]string{{`=status + "!"`, "orderStatus"}}),
		task("after", after), endEv("end")).chain("start", "work", "after", "end"))
	deployStart(t, xml, pid, map[string]any{"order": map[string]any{"id": "o-1", "lines": []any{map[string]any{"qty": 2}}}})
	j := waitJob(t, work)
	if varJSON(t, j, "orderRef") != `"o-1"` || varJSON(t, j, "firstQty") != "3" {
		t.Errorf("input mappings: orderRef=%s firstQty=%s", varJSON(t, j, "orderRef"), varJSON(t, j, "firstQty"))
	}
	complete(t, j.Key, map[string]any{"status": "shipped"})
	ja := waitJob(t, after)
	if varJSON(t, ja, "orderStatus") != `"shipped!"` {
		t.Errorf("output mapping orderStatus = %s", varJSON(t, ja, "orderStatus"))
	}
	if varJSON(t, ja, "orderRef") != "<missing>" || varJSON(t, ja, "status") != "<missing>" {
		t.Errorf("task-local variables leaked: orderRef=%s status=%s", varJSON(t, ja, "orderRef"), varJSON(t, ja, "status"))
	}
}

// docs: components/concepts/variables (variable propagation: to the closest scope that has it)
func TestVariablePropagationToClosestScope(t *testing.T) {
	parallel(t)
	pid, first, second, after := uniq("var-prop"), uniq("var-prop-1"), uniq("var-prop-2"), uniq("var-prop-after")
	sub := subProcess("sub", newScope(startEv("subStart"), task("first", first), task("second", second), endEv("subEnd")).chain("subStart", "first", "second", "subEnd")).
		withIO([][2]string{{"=x", "x"}}, nil)
	xml := bpmnDoc(pid, newScope(startEv("start"), sub, task("after", after), endEv("end")).chain("start", "sub", "after", "end"))
	pi := deployStart(t, xml, pid, map[string]any{"x": 1})
	completeNext(t, first, map[string]any{"x": 2, "y": 3})
	if j := completeNext(t, second, nil); varJSON(t, j, "x") != "2" {
		t.Errorf("inside the subprocess x = %s, want 2 (set on the subprocess scope)", varJSON(t, j, "x"))
	}
	j := waitJob(t, after)
	if varJSON(t, j, "x") != "1" || varJSON(t, j, "y") != "3" {
		t.Errorf("after the subprocess x=%s y=%s, want x=1 (root untouched) y=3 (propagated to root)", varJSON(t, j, "x"), varJSON(t, j, "y"))
	}
	if v := rootVariables(t, pi); v["x"] != "1" || v["y"] != "3" {
		t.Errorf("variables/search root scope %v", v)
	}
}

// docs: apis-tools/zeebe-api/gateway-service (SetVariables: local true vs false)
func TestSetVariablesLocalAndPropagated(t *testing.T) {
	parallel(t)
	pid, first, second, after := uniq("setvars"), uniq("setvars-1"), uniq("setvars-2"), uniq("setvars-after")
	sub := subProcess("sub", newScope(startEv("subStart"), task("first", first), task("second", second), endEv("subEnd")).chain("subStart", "first", "second", "subEnd"))
	xml := bpmnDoc(pid, newScope(startEv("start"), sub, task("after", after), endEv("end")).chain("start", "sub", "after", "end"))
	pi := deployStart(t, xml, pid, nil)
	j1 := waitJob(t, first)
	subs := elementsOf(t, pi, "sub")
	if len(subs) != 1 {
		t.Fatalf("element-instances/search elementId sub: %+v", subs)
	}
	subKey := int64(subs[0].ElementInstanceKey)
	if _, err := gw.SetVariables(ctxT(t), &pb.SetVariablesRequest{ElementInstanceKey: subKey, Variables: `{"localVar":"l"}`, Local: true}); err != nil {
		t.Fatalf("set local variables: %v", err)
	}
	if _, err := gw.SetVariables(ctxT(t), &pb.SetVariablesRequest{ElementInstanceKey: subKey, Variables: `{"globalVar":"g"}`, Local: false}); err != nil {
		t.Fatalf("set propagated variables: %v", err)
	}
	if v := rootVariables(t, pi); v["globalVar"] != `"g"` || v["localVar"] != "" {
		t.Errorf("root scope %v: want globalVar propagated and localVar not", v)
	}
	local := search[variableItem](t, "/v2/variables/search", map[string]any{"processInstanceKey": strconv.FormatInt(pi, 10), "scopeKey": strconv.FormatInt(subKey, 10)})
	if len(local) != 1 || local[0].Name != "localVar" {
		t.Errorf("subprocess scope variables %+v, want only localVar", local)
	}
	complete(t, j1.Key, nil)
	if j := completeNext(t, second, nil); varJSON(t, j, "localVar") != `"l"` {
		t.Errorf("inside the subprocess localVar = %s", varJSON(t, j, "localVar"))
	}
	j := waitJob(t, after)
	if varJSON(t, j, "localVar") != "<missing>" || varJSON(t, j, "globalVar") != `"g"` {
		t.Errorf("after the subprocess localVar=%s globalVar=%s", varJSON(t, j, "localVar"), varJSON(t, j, "globalVar"))
	}
}

// docs: components/concepts/variables (variable values are JSON; numbers keep their precision)
func TestVariableNumbersKeepPrecision(t *testing.T) {
	parallel(t)
	pid, a, b := uniq("var-num"), uniq("var-num-a"), uniq("var-num-b")
	deploy(t, twoTasks(pid, a, b))
	resp, err := gw.CreateProcessInstance(ctxT(t), &pb.CreateProcessInstanceRequest{BpmnProcessId: pid, Version: -1, Variables: `{"key":2251799813685249,"tenth":0.1}`})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	j := waitJob(t, a)
	if varJSON(t, j, "key") != "2251799813685249" || varJSON(t, j, "tenth") != "0.1" {
		t.Errorf("first job key=%s tenth=%s", varJSON(t, j, "key"), varJSON(t, j, "tenth"))
	}
	if _, err := gw.CompleteJob(ctxT(t), &pb.CompleteJobRequest{JobKey: j.Key, Variables: `{"big":9007199254740993,"sum":0.30000000000000004}`}); err != nil {
		t.Fatalf("complete: %v", err)
	}
	jb := waitJob(t, b)
	for name, want := range map[string]string{"key": "2251799813685249", "tenth": "0.1", "big": "9007199254740993", "sum": "0.30000000000000004"} {
		if got := varJSON(t, jb, name); got != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	if v := rootVariables(t, resp.ProcessInstanceKey); v["big"] != "9007199254740993" {
		t.Errorf("variables/search big = %s", v["big"])
	}
}
