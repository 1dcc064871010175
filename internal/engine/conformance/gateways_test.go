package conformance

import (
	"testing"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/pb"
)

// exclusiveFixture: gateway with x > 10 → high, x < 0 → low, default (when given) → other.
func exclusiveFixture(pid, high, low, other string, withDefault bool) string {
	def := ""
	if withDefault {
		def = "other"
	}
	s := newScope(startEv("start"), exclusiveGw("gw", def), task("high", high), task("low", low), endEv("end")).
		chain("start", "gw").when("gw", "high", "=x > 10").when("gw", "low", "=x < 0").chain("high", "end").chain("low", "end")
	if withDefault {
		s.add(task("other", other)).chain("gw", "other").chain("other", "end")
	}
	return bpmnDoc(pid, s)
}

// docs: components/modeler/bpmn/exclusive-gateways (conditions and the default flow)
func TestExclusiveGateway(t *testing.T) {
	parallel(t)
	pid, high, low, other := uniq("xgw"), uniq("xgw-high"), uniq("xgw-low"), uniq("xgw-other")
	deploy(t, exclusiveFixture(pid, high, low, other, true))
	t.Run("Condition", func(t *testing.T) {
		start(t, pid, map[string]any{"x": 20})
		completeNext(t, high, nil)
		start(t, pid, map[string]any{"x": -1})
		completeNext(t, low, nil)
	})
	t.Run("Default", func(t *testing.T) {
		pi := start(t, pid, map[string]any{"x": 5})
		completeNext(t, other, nil)
		waitState(t, pi, "COMPLETED")
	})
}

// docs: components/modeler/bpmn/exclusive-gateways (no condition true and no default: incident)
func TestExclusiveGatewayNoMatchRaisesIncidentThenContinues(t *testing.T) {
	parallel(t)
	pid, high, low := uniq("xgw-nomatch"), uniq("xgw-nomatch-high"), uniq("xgw-nomatch-low")
	pi := deployStart(t, exclusiveFixture(pid, high, low, "", false), pid, map[string]any{"x": 5})
	in := waitIncident(t, pi, "CONDITION_ERROR")
	if in.ElementID != "gw" {
		t.Errorf("incident on %q, want gw", in.ElementID)
	}
	if _, err := gw.SetVariables(ctxT(t), &pb.SetVariablesRequest{ElementInstanceKey: pi, Variables: `{"x":50}`}); err != nil {
		t.Fatalf("set variables: %v", err)
	}
	if _, err := gw.ResolveIncident(ctxT(t), &pb.ResolveIncidentRequest{IncidentKey: int64(in.IncidentKey)}); err != nil {
		t.Fatalf("resolve: %v", err)
	}
	completeNext(t, high, nil)
	waitState(t, pi, "COMPLETED")
}

// docs: components/modeler/bpmn/parallel-gateways (fork and join)
func TestParallelGatewayForkJoin(t *testing.T) {
	parallel(t)
	pid, a, b, after := uniq("pgw"), uniq("pgw-a"), uniq("pgw-b"), uniq("pgw-after")
	xml := bpmnDoc(pid, newScope(startEv("start"), parallelGw("fork"), task("a", a), task("b", b), parallelGw("join"), task("after", after), endEv("end")).
		chain("start", "fork").chain("fork", "a", "join").chain("fork", "b", "join").chain("join", "after", "end"))
	pi := deployStart(t, xml, pid, nil)
	ja, jb := waitJob(t, a), waitJob(t, b)
	complete(t, ja.Key, map[string]any{"fromA": 1})
	noJob(t, after, 400*time.Millisecond)
	complete(t, jb.Key, map[string]any{"fromB": 2})
	j := completeNext(t, after, nil)
	if varJSON(t, j, "fromA") != "1" || varJSON(t, j, "fromB") != "2" {
		t.Errorf("after the join: fromA=%s fromB=%s", varJSON(t, j, "fromA"), varJSON(t, j, "fromB"))
	}
	noJob(t, after, 300*time.Millisecond)
	waitState(t, pi, "COMPLETED")
}

// docs: components/modeler/bpmn/inclusive-gateways (fork on every true condition, join them)
func TestInclusiveGatewayForkJoin(t *testing.T) {
	parallel(t)
	pid, a, b, c, after := uniq("igw"), uniq("igw-a"), uniq("igw-b"), uniq("igw-c"), uniq("igw-after")
	xml := bpmnDoc(pid, newScope(startEv("start"), inclusiveGw("fork", ""), task("a", a), task("b", b), task("c", c), inclusiveGw("join", ""), task("after", after), endEv("end")).
		chain("start", "fork").when("fork", "a", "=x > 1").when("fork", "b", "=x > 2").when("fork", "c", "=x > 100").
		chain("a", "join").chain("b", "join").chain("c", "join").chain("join", "after", "end"))
	pi := deployStart(t, xml, pid, map[string]any{"x": 5})
	ja, jb := waitJob(t, a), waitJob(t, b)
	noJob(t, c, 300*time.Millisecond)
	complete(t, ja.Key, nil)
	noJob(t, after, 400*time.Millisecond)
	complete(t, jb.Key, nil)
	completeNext(t, after, nil)
	waitState(t, pi, "COMPLETED")
}

// eventGatewayFixture: event-based gateway → message (onMsg) or 10 min timer (onTimer).
func eventGatewayFixture(pid, msg, viaMsg, viaTimer string) string {
	return bpmnDoc(pid, newScope(startEv("start"), eventBasedGw("gw"), catchMsg("msg", msg, "=orderId"), catchTimer("timer", "timeDuration", "PT10M"),
		task("viaMsg", viaMsg), task("viaTimer", viaTimer), endEv("end1"), endEv("end2")).
		chain("start", "gw").chain("gw", "msg", "viaMsg", "end1").chain("gw", "timer", "viaTimer", "end2"))
}

// docs: components/modeler/bpmn/event-based-gateways (the first event wins, the others are closed)
func TestEventBasedGateway(t *testing.T) {
	clockTest(t)
	t.Run("MessageWins", func(t *testing.T) {
		pid, msg, viaMsg, viaTimer := uniq("egw-msg"), uniq("egw-msg"), uniq("egw-msg-m"), uniq("egw-msg-t")
		order := uniq("order")
		pi := deployStart(t, eventGatewayFixture(pid, msg, viaMsg, viaTimer), pid, map[string]any{"orderId": order})
		publish(t, msg, order, 0, nil)
		j := waitJob(t, viaMsg)
		clockAdd(t, 11*time.Minute)
		noJob(t, viaTimer, 500*time.Millisecond)
		complete(t, j.Key, nil)
		waitState(t, pi, "COMPLETED")
	})
	t.Run("TimerWins", func(t *testing.T) {
		pid, msg, viaMsg, viaTimer := uniq("egw-timer"), uniq("egw-timer"), uniq("egw-timer-m"), uniq("egw-timer-t")
		order := uniq("order")
		deployStart(t, eventGatewayFixture(pid, msg, viaMsg, viaTimer), pid, map[string]any{"orderId": order})
		clockAdd(t, 11*time.Minute)
		completeNext(t, viaTimer, nil)
		publish(t, msg, order, 0, nil)
		noJob(t, viaMsg, 500*time.Millisecond)
	})
}
