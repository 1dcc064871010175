package runtime

import (
	"fmt"
	"sync"

	"github.com/orderfleet/orderfleet/internal/engine/model"
)

// activateExclusive takes the first outgoing flow whose condition holds, in document order,
// else the default flow; with neither it raises a CONDITION_ERROR incident.
func (r *run) activateExclusive(ei *ElementInstance, e *model.Element) {
	r.takeConditionalFlows(ei, e, true)
}

// activateInclusive takes every outgoing flow whose condition holds, else the default flow.
func (r *run) activateInclusive(ei *ElementInstance, e *model.Element) {
	r.takeConditionalFlows(ei, e, false)
}

// takeConditionalFlows completes a gateway over its outgoing flows whose condition holds, in
// document order (only the first when firstOnly), else over the default flow; with neither, or
// when a condition fails, it raises a CONDITION_ERROR incident.
func (r *run) takeConditionalFlows(ei *ElementInstance, e *model.Element, firstOnly bool) {
	var chosen []*model.SequenceFlow
	for _, f := range e.Outgoing {
		if f == e.DefaultFlow {
			continue
		}
		ok, err := r.condition(f, ei.Key)
		if err != nil {
			r.raise(ei, IncidentConditionError, StepActivate, err.Error())
			return
		}
		if ok {
			chosen = append(chosen, f)
			if firstOnly {
				break
			}
		}
	}
	if len(chosen) == 0 && e.DefaultFlow != nil {
		chosen = []*model.SequenceFlow{e.DefaultFlow}
	}
	if len(chosen) == 0 {
		r.raise(ei, IncidentConditionError, StepActivate,
			"Expected at least one condition to evaluate to true, or to have a default flow")
		return
	}
	r.markActivated(ei)
	r.complete(ei, chosen)
}

// condition evaluates a flow's condition; a flow without one is taken. A non-boolean result is
// an error, as in Zeebe.
func (r *run) condition(f *model.SequenceFlow, key int64) (bool, error) {
	if f.Condition == nil {
		return true, nil
	}
	v, err := r.eval(f.Condition, key, nil)
	if err != nil {
		return false, fmt.Errorf("failed to evaluate expression '%s': %v", f.Condition.Source, err)
	}
	b, ok := v.(bool)
	if !ok {
		return false, fmt.Errorf("Expected result of the expression '%s' to be 'BOOLEAN', but was '%s'.", f.Condition.Source, typeName(v))
	}
	return b, nil
}

// activateEventBased opens the subscriptions and timers of the events after the gateway; the
// first to fire wins (see trigger).
func (r *run) activateEventBased(ei *ElementInstance, e *model.Element) {
	for _, f := range e.Outgoing {
		if !r.openWait(ei, f.Target) {
			return
		}
	}
	r.markActivated(ei)
}

// arriveAtJoin adds a token to a joining gateway in a scope and fires the gateway when it may.
func (r *run) arriveAtJoin(g *model.Element, f *model.SequenceFlow, scopeKey int64) {
	scope := r.in.Elements[scopeKey]
	if scope == nil {
		return
	}
	if scope.Joins == nil {
		scope.Joins = map[string][]string{}
	}
	scope.Joins[g.ID] = append(scope.Joins[g.ID], f.ID)
	if g.Type == model.ParallelGateway {
		if allIncoming(g, scope.Joins[g.ID]) {
			r.fireJoin(scope, g)
		}
		return
	}
	r.tryInclusive(scope, g)
}

func allIncoming(g *model.Element, tokens []string) bool {
	for _, in := range g.Incoming {
		found := false
		for _, t := range tokens {
			if t == in.ID {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// fireJoin consumes one token per incoming flow that has one and activates the gateway.
func (r *run) fireJoin(scope *ElementInstance, g *model.Element) {
	tokens := scope.Joins[g.ID]
	var rest []string
	seen := map[string]bool{}
	for _, t := range tokens {
		if seen[t] {
			rest = append(rest, t)
			continue
		}
		seen[t] = true
	}
	if len(rest) == 0 {
		delete(scope.Joins, g.ID)
	} else {
		scope.Joins[g.ID] = rest
	}
	if len(scope.Joins) == 0 {
		scope.Joins = nil
	}
	r.enter(g, scope.Key)
}

// checkInclusiveJoins re-checks the inclusive joins of a scope after one of its paths ended.
func (r *run) checkInclusiveJoins(scope *ElementInstance) {
	for id := range scope.Joins {
		if g := r.proc.Elements[id]; g != nil && g.Type == model.InclusiveGateway {
			r.tryInclusive(scope, g)
			if scope.Joins == nil {
				return
			}
		}
	}
}

// tryInclusive fires an inclusive join when every incoming flow has a token, or when no active
// element instance (or token at another join) of the scope can still reach the gateway.
func (r *run) tryInclusive(scope *ElementInstance, g *model.Element) {
	tokens := scope.Joins[g.ID]
	if len(tokens) == 0 {
		return
	}
	if !allIncoming(g, tokens) {
		reach := reachers(g)
		for _, c := range r.childrenOf(scope.Key) {
			if reach[c.ElementID] {
				return
			}
		}
		for id, ts := range scope.Joins {
			if id != g.ID && len(ts) > 0 && reach[id] {
				return
			}
		}
	}
	r.fireJoin(scope, g)
}

var reachCache sync.Map // *model.Element → map[string]bool

// reachers are the ids of the elements from which a path leads to g (g excluded unless on a cycle).
func reachers(g *model.Element) map[string]bool {
	if v, ok := reachCache.Load(g); ok {
		return v.(map[string]bool)
	}
	seen := map[string]bool{}
	stack := []*model.Element{g}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for _, f := range n.Incoming {
			s := f.Source
			if !seen[s.ID] {
				seen[s.ID] = true
				stack = append(stack, s)
			}
		}
		if n.Type == model.BoundaryEvent && n.AttachedTo != nil && !seen[n.AttachedTo.ID] {
			seen[n.AttachedTo.ID] = true
			stack = append(stack, n.AttachedTo)
		}
	}
	reachCache.Store(g, seen)
	return seen
}
