package runtime

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/engine/model"
)

// testEnv is a deterministic in-memory Env: keys from a counter, a settable clock, and every
// effect recorded so tests can check them.
type testEnv struct {
	t       *testing.T
	now     time.Time
	next    int64
	defs    map[int64]*Definition
	latest  map[string]*Definition
	jobs    map[int64]Job
	timers  map[int64]Timer
	subs    map[int64]MessageSubscription
	signals map[int64]SignalSubscription
	open    map[int64]Incident // open incidents
	buffer  []Message          // buffered messages OpenSubscription hands out
	// children started, terminated, and notices sent to a parent
	children   []ChildRequest
	terminated []int64
	notices    []ParentNotice
	cancelled  []int64 // jobs
	records    []Record
}

func newTestEnv(t *testing.T) *testEnv {
	return &testEnv{
		t: t, now: time.Date(2025, 1, 2, 10, 0, 0, 0, time.UTC), next: 1 << 51,
		defs: map[int64]*Definition{}, latest: map[string]*Definition{}, jobs: map[int64]Job{},
		timers: map[int64]Timer{}, subs: map[int64]MessageSubscription{}, signals: map[int64]SignalSubscription{},
		open: map[int64]Incident{},
	}
}

func (e *testEnv) Now() time.Time { return e.now }
func (e *testEnv) NewKey() int64  { e.next++; return e.next }
func (e *testEnv) Definition(key int64) (*Definition, error) {
	if d := e.defs[key]; d != nil {
		return d, nil
	}
	return nil, ErrNotFound
}
func (e *testEnv) LatestDefinition(id string) (*Definition, error) {
	if d := e.latest[id]; d != nil {
		return d, nil
	}
	return nil, ErrNotFound
}
func (e *testEnv) CreateJob(j Job)       { e.jobs[j.Key] = j }
func (e *testEnv) CancelJob(key int64)   { delete(e.jobs, key); e.cancelled = append(e.cancelled, key) }
func (e *testEnv) CreateTimer(t Timer)   { e.timers[t.Key] = t }
func (e *testEnv) CancelTimer(key int64) { delete(e.timers, key) }
func (e *testEnv) OpenSubscription(s MessageSubscription) (*Message, error) {
	for i, m := range e.buffer {
		if m.Name == s.MessageName && m.CorrelationKey == s.CorrelationKey {
			e.buffer = append(e.buffer[:i], e.buffer[i+1:]...)
			e.subs[s.Key] = s
			return &m, nil
		}
	}
	e.subs[s.Key] = s
	return nil, nil
}
func (e *testEnv) CloseSubscription(key int64)                 { delete(e.subs, key) }
func (e *testEnv) OpenSignalSubscription(s SignalSubscription) { e.signals[s.Key] = s }
func (e *testEnv) CloseSignalSubscription(key int64)           { delete(e.signals, key) }
func (e *testEnv) CreateIncident(i Incident)                   { e.open[i.Key] = i }
func (e *testEnv) ResolveIncident(key int64)                   { delete(e.open, key) }
func (e *testEnv) CreateChild(c ChildRequest) (int64, error) {
	e.children = append(e.children, c)
	return e.NewKey(), nil
}
func (e *testEnv) TerminateChild(key int64)    { e.terminated = append(e.terminated, key) }
func (e *testEnv) NotifyParent(n ParentNotice) { e.notices = append(e.notices, n) }
func (e *testEnv) Record(r Record)             { e.records = append(e.records, r) }

// deploy parses inline BPMN and registers its first process.
func (e *testEnv) deploy(xml string) *Definition {
	e.t.Helper()
	defs, err := model.Parse("test.bpmn", []byte(xml))
	if err != nil {
		e.t.Fatalf("parse: %v", err)
	}
	p := defs.Processes[0]
	d := &Definition{Key: e.NewKey(), BPMNProcessID: p.ID, Version: 1, Process: p}
	e.defs[d.Key] = d
	e.latest[p.ID] = d
	return d
}

// start creates an instance with JSON variables.
func (e *testEnv) start(d *Definition, vars string) *Instance {
	e.t.Helper()
	in, err := Start(e, d, StartRequest{Key: e.NewKey(), Variables: jsonVars(e.t, vars)})
	if err != nil {
		e.t.Fatalf("start: %v", err)
	}
	return roundTrip(e.t, in)
}

// roundTrip stores and reloads the document as the store does, so every test checks that the
// document survives JSON.
func roundTrip(t *testing.T, in *Instance) *Instance {
	t.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatalf("marshal instance: %v", err)
	}
	var out Instance
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("unmarshal instance: %v", err)
	}
	b2, _ := json.Marshal(&out)
	if string(b) != string(b2) {
		t.Fatalf("document changed in a round trip:\n%s\n%s", b, b2)
	}
	return &out
}

func jsonVars(t *testing.T, s string) Vars {
	t.Helper()
	if s == "" {
		return nil
	}
	var v Vars
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("variables %s: %v", s, err)
	}
	return v
}

// job is the one open job of a type.
func (e *testEnv) job(typ string) Job {
	e.t.Helper()
	var found []Job
	for _, j := range e.jobs {
		if j.Type == typ {
			found = append(found, j)
		}
	}
	if len(found) != 1 {
		e.t.Fatalf("want one open job of type %s, have %d (open jobs: %v)", typ, len(found), e.jobTypes())
	}
	return found[0]
}

func (e *testEnv) jobsOf(typ string) []Job {
	var found []Job
	for _, j := range e.jobs {
		if j.Type == typ {
			found = append(found, j)
		}
	}
	sort.Slice(found, func(a, b int) bool { return found[a].Key < found[b].Key })
	return found
}

func (e *testEnv) jobTypes() []string {
	var s []string
	for _, j := range e.jobs {
		s = append(s, j.Type)
	}
	sort.Strings(s)
	return s
}

// complete completes a job as a worker would, then reloads the document.
func (e *testEnv) complete(in *Instance, j Job, vars string) *Instance {
	e.t.Helper()
	if err := in.CompleteJob(e, j, jsonVars(e.t, vars)); err != nil {
		e.t.Fatalf("complete job %s: %v", j.Type, err)
	}
	delete(e.jobs, j.Key)
	return roundTrip(e.t, in)
}

// fire triggers the one open timer of an element.
func (e *testEnv) fire(in *Instance, elementID string) *Instance {
	e.t.Helper()
	for k, tm := range e.timers {
		if tm.ElementID == elementID {
			delete(e.timers, k)
			if tm.DueAt.After(e.now) {
				e.now = tm.DueAt
			}
			if err := in.TriggerTimer(e, tm); err != nil {
				e.t.Fatalf("trigger timer %s: %v", elementID, err)
			}
			return roundTrip(e.t, in)
		}
	}
	e.t.Fatalf("no open timer for %s", elementID)
	return nil
}

// correlate publishes a message to the open subscription with that name and key.
func (e *testEnv) correlate(in *Instance, name, key, vars string) *Instance {
	e.t.Helper()
	for _, s := range e.subs {
		if s.MessageName == name && s.CorrelationKey == key {
			if err := in.CorrelateMessage(e, s, Message{Key: e.NewKey(), Name: name, CorrelationKey: key, Variables: jsonVars(e.t, vars)}); err != nil {
				e.t.Fatalf("correlate %s: %v", name, err)
			}
			return roundTrip(e.t, in)
		}
	}
	e.t.Fatalf("no subscription for message %s key %q (open: %v)", name, key, e.subs)
	return nil
}

// completed lists the element ids whose instances completed, in order.
func (e *testEnv) completed() []string {
	var s []string
	for _, r := range e.records {
		if r.Intent == "ELEMENT_COMPLETED" {
			s = append(s, r.ElementID)
		}
	}
	return s
}

func (e *testEnv) didComplete(id string) bool {
	for _, c := range e.completed() {
		if c == id {
			return true
		}
	}
	return false
}

func (e *testEnv) incidents() []Incident {
	var s []Incident
	for _, i := range e.open {
		s = append(s, i)
	}
	return s
}

// active lists the element ids of active element instances, sorted.
func active(in *Instance) string {
	var s []string
	for _, ei := range in.Elements {
		if ei.Key != in.Key {
			s = append(s, ei.ElementID)
		}
	}
	sort.Strings(s)
	return strings.Join(s, ",")
}

func rootVar(t *testing.T, in *Instance, name string) string {
	t.Helper()
	return string(in.RootVariables()[name])
}

// doc wraps a process body (and root-level messages, errors, signals) into a definitions document.
func doc(body, refs string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="D" targetNamespace="t">
<bpmn:process id="p" isExecutable="true">` + body + `</bpmn:process>` + refs + `</bpmn:definitions>`
}

func task(id, typ string, extra string) string {
	return fmt.Sprintf(`<bpmn:serviceTask id="%s"><bpmn:extensionElements><zeebe:taskDefinition type="%s"/>%s</bpmn:extensionElements></bpmn:serviceTask>`, id, typ, extra)
}

func flow(id, from, to, cond string) string {
	if cond == "" {
		return fmt.Sprintf(`<bpmn:sequenceFlow id="%s" sourceRef="%s" targetRef="%s"/>`, id, from, to)
	}
	return fmt.Sprintf(`<bpmn:sequenceFlow id="%s" sourceRef="%s" targetRef="%s"><bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">%s</bpmn:conditionExpression></bpmn:sequenceFlow>`, id, from, to, cond)
}

// throw throws a BPMN error from a job as a worker would; a caught error ends the job.
func (e *testEnv) throw(in *Instance, j Job, code, vars string) *Instance {
	e.t.Helper()
	if err := in.ThrowError(e, j, code, "", jsonVars(e.t, vars)); err != nil {
		e.t.Fatalf("throw %s: %v", code, err)
	}
	delete(e.jobs, j.Key)
	return roundTrip(e.t, in)
}
