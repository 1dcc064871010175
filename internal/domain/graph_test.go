package domain

import (
	"reflect"
	"testing"
)

func nodes(spec map[string][]string, order ...string) []GraphNode {
	out := make([]GraphNode, len(order))
	for i, id := range order {
		out[i] = GraphNode{ID: id, DependsOn: spec[id]}
	}
	return out
}

func TestValidateGraphRejections(t *testing.T) {
	cases := []struct {
		name  string
		nodes []GraphNode
		code  string
		refs  []string
		msg   string
	}{
		{"unknown dependency", nodes(map[string][]string{"b": {"zz"}}, "a", "b"), EUNKNOWNDEPENDENCY, []string{"b", "zz"}, "b depends on unknown task zz"},
		{"self loop", nodes(map[string][]string{"a": {"a"}}, "a"), ECYCLE, []string{"a"}, "dependency cycle: a -> a"},
		{"three cycle", nodes(map[string][]string{"a": {"c"}, "b": {"a"}, "c": {"b"}, "d": {"a"}}, "a", "b", "c", "d"),
			ECYCLE, []string{"a", "c", "b"}, "dependency cycle: a -> c -> b -> a"},
		{"duplicate id", []GraphNode{{ID: "a"}, {ID: "a"}}, EINVALID, []string{"a"}, "id a used twice"},
		{"empty id", []GraphNode{{ID: ""}}, EINVALID, nil, "node at position 0 has no id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := ValidateGraph(c.nodes)
			if ErrorCode(err) != c.code || ErrorMessage(err) != c.msg || !reflect.DeepEqual(ErrorRefs(err), c.refs) {
				t.Fatalf("got code=%q msg=%q refs=%v", ErrorCode(err), ErrorMessage(err), ErrorRefs(err))
			}
		})
	}
}

func TestParallelGroups(t *testing.T) {
	g := nodes(map[string][]string{
		"reserve": {"check"}, "provision": {"reserve"}, "ip": {"reserve"},
		"billing": {"provision", "ip"}, "asset": {"billing", "ship"},
	}, "check", "ship", "reserve", "provision", "ip", "billing", "asset")
	got, err := ParallelGroups(g)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"check", "ship"}, {"reserve"}, {"provision", "ip"}, {"billing"}, {"asset"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("groups %v, want %v", got, want)
	}
	if _, err := ParallelGroups(nodes(map[string][]string{"a": {"b"}, "b": {"a"}}, "a", "b")); ErrorCode(err) != ECYCLE {
		t.Fatalf("cyclic graph: %v", err)
	}
}

func TestNewPlanRejectsBadGraph(t *testing.T) {
	mk := func(id string, deps ...string) *Task {
		return &Task{ID: id, Type: TaskReserveResource, Mode: ModeAutomatedSync, Retry: RetryPolicy{MaxAttempts: 1}, DependsOn: deps}
	}
	_, err := NewPlan("p", "tenant-a", "o", CompletionRequiresBillingActive, []*Task{mk("a", "b"), mk("b", "a")}, testCause("X"))
	if ErrorCode(err) != ECYCLE || !reflect.DeepEqual(ErrorRefs(err), []string{"a", "b"}) {
		t.Fatalf("cycle: %v refs=%v", err, ErrorRefs(err))
	}
	_, err = NewPlan("p", "tenant-a", "o", CompletionRequiresBillingActive, []*Task{mk("a", "ghost")}, testCause("X"))
	if ErrorCode(err) != EUNKNOWNDEPENDENCY {
		t.Fatalf("unknown dependency: %v", err)
	}
	bad := mk("a")
	bad.Retry.MaxAttempts = 0
	if _, err := NewPlan("p", "tenant-a", "o", CompletionRequiresBillingActive, []*Task{bad}, testCause("X")); ErrorCode(err) != EINVALID {
		t.Fatalf("zero attempts: %v", err)
	}
}
