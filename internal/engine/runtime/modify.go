package runtime

import (
	"fmt"

	"github.com/orderfleet/orderfleet/internal/engine/model"
)

// modify runs ModifyProcessInstance as docs.camunda.io ("Process instance modification")
// describes: every instruction is checked before anything changes; activations apply first,
// then terminations; a subprocess (or the process instance) left without active element
// instances by a termination is terminated too.
func (r *run) modify(activate []ActivateInstruction, terminate []int64) error {
	for _, key := range terminate {
		if key == r.in.Key || r.in.Elements[key] == nil {
			return fmt.Errorf("%w: element instance %d is not active in process instance %d", ErrElementNotFound, key, r.in.Key)
		}
	}
	for _, a := range activate {
		el := r.proc.Elements[a.ElementID]
		if el == nil {
			return fmt.Errorf("%w: process '%s' has no element '%s'", ErrInvalidArgument, r.in.BPMNProcessID, a.ElementID)
		}
		if err := r.canActivate(el); err != nil {
			return err
		}
		if a.AncestorElementInstanceKey != 0 && r.in.Elements[a.AncestorElementInstanceKey] == nil {
			return fmt.Errorf("%w: ancestor element instance %d is not active", ErrInvalidArgument, a.AncestorElementInstanceKey)
		}
		for _, sv := range a.Variables {
			if sv.ScopeID != "" && r.proc.Elements[sv.ScopeID] == nil {
				return fmt.Errorf("%w: variable scope '%s' is not an element of process '%s'", ErrInvalidArgument, sv.ScopeID, r.in.BPMNProcessID)
			}
			if _, err := compactVars(sv.Variables); err != nil {
				return err
			}
		}
	}
	if r.in.ParentInstanceKey != 0 && len(activate) == 0 && r.terminatesEverything(terminate) {
		return fmt.Errorf("%w: the modification would terminate every active element instance of process instance %d, which was called by process instance %d; terminate the call activity instead", ErrInvalidArgument, r.in.Key, r.in.ParentInstanceKey)
	}
	for _, a := range activate {
		if err := r.activateAt(r.proc.Elements[a.ElementID], a.AncestorElementInstanceKey, a.Variables); err != nil {
			return err
		}
	}
	var touched []int64
	for _, key := range terminate {
		ei := r.in.Elements[key]
		if ei == nil {
			continue // ended with an ancestor terminated before
		}
		touched = append(touched, ei.FlowScopeKey)
		r.terminate(ei)
	}
	for _, key := range touched {
		r.terminateIfEmpty(key)
	}
	if r.in.State != InstanceActive {
		return r.err
	}
	return r.end()
}

// canActivate rejects what the docs list under "Limitations": start events, boundary events,
// events after an event-based gateway and elements inside a multi-instance subprocess.
func (r *run) canActivate(el *model.Element) error {
	reject := func(why string) error {
		return fmt.Errorf("%w: element '%s' cannot be activated by a modification: %s", ErrInvalidArgument, el.ID, why)
	}
	switch el.Type {
	case model.StartEvent:
		return reject("it is a start event")
	case model.BoundaryEvent:
		return reject("it is a boundary event")
	}
	for _, f := range el.Incoming {
		if f.Source != nil && f.Source.Type == model.EventBasedGateway {
			return reject("it belongs to event-based gateway '" + f.Source.ID + "'")
		}
	}
	for p := el.Parent; p != nil; p = p.Parent {
		if p.Loop != nil {
			return reject("it is inside multi-instance subprocess '" + p.ID + "'")
		}
	}
	return nil
}

// terminatesEverything reports whether terminating keys (and what is inside them) leaves the
// instance without an active element instance.
func (r *run) terminatesEverything(keys []int64) bool {
	gone := map[int64]bool{}
	for _, k := range keys {
		gone[k] = true
	}
	for _, ei := range r.in.Elements {
		if ei.Key == r.in.Key {
			continue
		}
		ended := false
		for k := ei.Key; k != 0 && k != r.in.Key; k = r.parentKey(k) {
			if gone[k] {
				ended = true
				break
			}
		}
		if !ended {
			return false
		}
	}
	return true
}

// terminateIfEmpty terminates a scope a modification emptied, and so on outward; an emptied
// process instance ends TERMINATED.
func (r *run) terminateIfEmpty(key int64) {
	for key != 0 {
		scope := r.in.Elements[key]
		if scope == nil || scope.Children > 0 {
			return
		}
		parent := scope.FlowScopeKey
		r.terminate(scope)
		if key == r.in.Key {
			r.finish(InstanceTerminated)
			return
		}
		key = parent
	}
}

// activateAt activates element el inside an instance of its flow scope: the given ancestor,
// else the only active instance of the closest enclosing scope element; flow scopes in between
// are created (without running their start events or input mappings).
func (r *run) activateAt(el *model.Element, ancestorKey int64, vars []ScopedVars) error {
	var chain []*model.Element // el's enclosing scopes, innermost first
	for p := el.Parent; p != nil; p = p.Parent {
		chain = append(chain, p)
	}
	if len(chain) == 0 || chain[len(chain)-1] != r.proc.Root {
		chain = append(chain, r.proc.Root)
	}
	anchorAt := -1
	var anchor *ElementInstance
	if ancestorKey != 0 {
		a := r.in.Elements[ancestorKey]
		ae := r.element(a)
		for i, s := range chain {
			if s == ae {
				anchorAt, anchor = i, a
				break
			}
		}
		if anchor == nil {
			return fmt.Errorf("%w: element instance %d is not a flow scope of '%s'", ErrInvalidArgument, ancestorKey, el.ID)
		}
	} else {
		for i, s := range chain {
			found := r.instancesOf(s)
			if len(found) > 1 {
				return fmt.Errorf("%w: flow scope '%s' of '%s' has %d active instances; name the ancestor", ErrInvalidArgument, s.ID, el.ID, len(found))
			}
			if len(found) == 1 {
				anchorAt, anchor = i, found[0]
				break
			}
		}
		if anchor == nil {
			return fmt.Errorf("%w: no active flow scope for '%s'", ErrInvalidState, el.ID)
		}
	}
	cur := anchor
	for i := anchorAt - 1; i >= 0; i-- {
		s := chain[i]
		// A created flow scope gets its subscriptions but neither its start event nor its input
		// mappings (docs: process instance modification, "Activate a nested element").
		si := r.newInstance(s, s.Type, cur.Key)
		if !r.openBoundaries(si, s) || !r.openEventSubprocesses(si, s) {
			return nil
		}
		r.markActivated(si)
		cur = si
	}
	for _, sv := range vars {
		target := r.in.Key
		if sv.ScopeID != "" {
			se := r.proc.Elements[sv.ScopeID]
			si := r.ancestorOf(cur.Key, se)
			if si == nil {
				return fmt.Errorf("%w: variable scope '%s' is not a flow scope of '%s'", ErrInvalidArgument, sv.ScopeID, el.ID)
			}
			target = si.Key
		}
		r.setLocal(target, sv.Variables)
	}
	r.enter(el, cur.Key)
	return nil
}

// instancesOf lists the active instances of a scope element (the process root: the instance).
func (r *run) instancesOf(s *model.Element) []*ElementInstance {
	if s == r.proc.Root {
		if root := r.in.Elements[r.in.Key]; root != nil {
			return []*ElementInstance{root}
		}
		return nil
	}
	var out []*ElementInstance
	for _, ei := range r.in.Elements {
		if ei.ElementID == s.ID && ei.Type != model.MultiInstanceBody {
			out = append(out, ei)
		}
	}
	return out
}
