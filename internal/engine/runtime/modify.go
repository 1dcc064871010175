package runtime

import (
	"fmt"

	"github.com/orderfleet/orderfleet/internal/engine/model"
)

// modify runs ModifyProcessInstance: every instruction is checked before anything changes;
// terminations first, then activations; a scope left empty completes.
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
	var touched []int64
	for _, key := range terminate {
		ei := r.in.Elements[key]
		if ei == nil {
			continue // ended with an ancestor terminated before
		}
		touched = append(touched, ei.FlowScopeKey)
		r.terminate(ei)
	}
	for _, a := range activate {
		if err := r.activateAt(r.proc.Elements[a.ElementID], a.AncestorElementInstanceKey, a.Variables); err != nil {
			return err
		}
	}
	for _, key := range touched {
		r.childLeft(key)
	}
	return r.end()
}

// activateAt activates element el inside an instance of its flow scope: the given ancestor,
// else the only active instance of the closest enclosing scope element; flow scopes in between
// are created (without running their start events).
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
		si := r.newInstance(s, s.Type, cur.Key)
		if len(s.Inputs) > 0 && !r.applyInputs(si, s) {
			return nil
		}
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
