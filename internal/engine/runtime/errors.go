package runtime

import (
	"fmt"

	"github.com/orderfleet/orderfleet/internal/engine/model"
)

// throwError looks for the catch of a BPMN error thrown at element instance from: the
// element's boundary error events, then scope by scope outward the error event subprocesses
// and the boundary events of each enclosing scope. It terminates up to the catching scope and
// activates the catch; false means nothing catches the code.
func (r *run) throwError(from *ElementInstance, code, message string, vars Vars) bool {
	for cur := from; cur != nil; cur = r.in.Elements[cur.FlowScopeKey] {
		e := r.element(cur)
		if e == nil {
			return false
		}
		if e.IsScope() && cur.Type != model.MultiInstanceBody {
			var starts []*model.Element
			for _, es := range e.EventSubProcesses {
				for _, s := range es.StartEvents {
					if s.EventType == model.ErrorEvent {
						starts = append(starts, s)
					}
				}
			}
			if s := matchError(starts, code); s != nil {
				r.closeEventSubprocessWaits(cur)
				r.terminateChildren(cur, 0)
				esi := r.newInstance(s.Parent, model.EventSubProcess, cur.Key)
				esi.Trigger = &Trigger{StartID: s.ID, Variables: vars}
				r.push(stepActivate, esi.Key)
				return true
			}
		}
		if r.loopBodyOf(cur) == nil {
			var bs []*model.Element
			for _, b := range e.BoundaryEvents {
				if b.EventType == model.ErrorEvent {
					bs = append(bs, b)
				}
			}
			if b := matchError(bs, code); b != nil {
				scope := cur.FlowScopeKey
				r.terminate(cur)
				r.triggered(r.newInstance(b, model.BoundaryEvent, scope), vars)
				return true
			}
		}
		if cur.Key == r.in.Key {
			break
		}
	}
	return false
}

// matchError picks the event whose error code is code, else one that catches every error.
func matchError(events []*model.Element, code string) *model.Element {
	var all *model.Element
	for _, ev := range events {
		c := errorCode(ev)
		if c == "" {
			if all == nil {
				all = ev
			}
			continue
		}
		if c == code {
			return ev
		}
	}
	return all
}

func errorCode(ev *model.Element) string {
	if ev.Error == nil || ev.Error.Code == nil {
		return ""
	}
	return ev.Error.Code.Source
}

func unhandledMessage(code, message string) string {
	return fmt.Sprintf("Expected to throw an error event with the code '%s' with message '%s', but it was not caught. No error events are available in the scope.", code, message)
}
