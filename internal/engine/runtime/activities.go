package runtime

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/orderfleet/orderfleet/internal/engine/model"
)

// startScope starts a process or subprocess at its none start event (or, for a new process
// instance, at the start elements the request named).
func (r *run) startScope(ei *ElementInstance, e *model.Element) {
	if ei.Key == r.in.Key && r.startIDs != nil {
		ids := r.startIDs
		r.startIDs = nil
		for _, id := range ids {
			el := r.proc.Elements[id]
			if el.Type == model.StartEvent && el.Parent == r.proc.Root {
				r.triggered(r.newInstance(el, model.StartEvent, ei.Key), r.startVars)
				continue
			}
			if err := r.activateAt(el, ei.Key, nil); err != nil {
				r.fail(err)
			}
		}
		return
	}
	for _, s := range e.StartEvents {
		if s.EventType == model.NoneEvent || s.EventType == "" {
			r.enter(s, ei.Key)
			return
		}
	}
	r.push(stepComplete, ei.Key) // nothing to start: the scope is done
}

// startEventSubprocess runs an event subprocess from the start event that triggered it.
func (r *run) startEventSubprocess(ei *ElementInstance, e *model.Element) {
	t := ei.Trigger
	ei.Trigger = nil
	if t == nil {
		r.push(stepComplete, ei.Key)
		return
	}
	start := r.proc.Elements[t.StartID]
	if start == nil {
		r.push(stepComplete, ei.Key)
		return
	}
	r.triggered(r.newInstance(start, model.StartEvent, ei.Key), t.Variables)
}

// triggered completes a catching event that its trigger (message, timer, signal, error or a
// start request) activated: the trigger's variables are merged and the event completes.
func (r *run) triggered(ei *ElementInstance, vars Vars) {
	r.markActivated(ei)
	if e := r.element(ei); e != nil {
		r.applyResult(ei, e, vars)
	}
	r.push(stepComplete, ei.Key)
}

// activateJobTask creates the job of a service task or job-based user task.
func (r *run) activateJobTask(ei *ElementInstance, e *model.Element) {
	typ := model.UserTaskJobType
	if e.JobType != nil {
		v, err := r.evalString(e.JobType, ei.Key)
		if err != nil {
			r.raise(ei, IncidentExtractValue, StepActivate, err.Error())
			return
		}
		typ = v
	}
	retries := int32(3)
	if e.JobRetries != nil {
		n, err := r.evalInt(e.JobRetries, ei.Key)
		if err != nil {
			r.raise(ei, IncidentExtractValue, StepActivate, err.Error())
			return
		}
		retries = int32(n)
	}
	if !r.openBoundaries(ei, e) {
		return
	}
	r.markActivated(ei)
	var headers map[string]string
	if len(e.Headers) > 0 {
		headers = make(map[string]string, len(e.Headers))
		for _, h := range e.Headers {
			headers[h.Key] = h.Value
		}
	}
	ei.JobKey = r.env.NewKey()
	r.env.CreateJob(Job{
		Key: ei.JobKey, Type: typ, Retries: retries, CustomHeaders: headers,
		ProcessInstanceKey: r.in.Key, ElementInstanceKey: ei.Key, ElementID: ei.ElementID,
		BPMNProcessID: r.in.BPMNProcessID, ProcessVersion: r.in.Version, DefinitionKey: r.in.DefinitionKey,
	})
}

// activateCallActivity starts the called process as a child instance.
func (r *run) activateCallActivity(ei *ElementInstance, e *model.Element) {
	id, err := r.evalString(e.CalledElement, ei.Key)
	if err != nil {
		r.raise(ei, IncidentExtractValue, StepActivate, err.Error())
		return
	}
	def, err := r.env.LatestDefinition(id)
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			r.fail(err)
			return
		}
		r.raise(ei, IncidentCalledElement, StepActivate,
			fmt.Sprintf("Expected process with BPMN process id '%s' to be deployed, but not found.", id))
		return
	}
	var vars Vars
	if e.PropagateAllParentVariables {
		vars = r.in.VisibleVariables(ei.Key, nil)
	} else {
		vars = copyVars(r.in.Variables[ei.Key])
	}
	if !r.openBoundaries(ei, e) {
		return
	}
	child, err := r.env.CreateChild(ChildRequest{Definition: def, Variables: vars, ParentInstanceKey: r.in.Key, ParentElementInstanceKey: ei.Key})
	if err != nil {
		r.closeWaits(ei)
		r.fail(err)
		return
	}
	r.markActivated(ei)
	ei.ChildInstanceKey = child
}

// activateEndEvent ends a path: none, terminate (ends the whole scope) or error (thrown).
func (r *run) activateEndEvent(ei *ElementInstance, e *model.Element) {
	switch e.EventType {
	case model.ErrorEvent:
		code := ""
		if e.Error != nil && e.Error.Code != nil {
			v, err := r.evalString(e.Error.Code, ei.Key)
			if err != nil {
				r.raise(ei, IncidentExtractValue, StepActivate, err.Error())
				return
			}
			code = v
		}
		if !r.throwError(ei, code, "", nil) {
			r.raise(ei, IncidentUnhandledError, StepActivate, unhandledMessage(code, ""))
		}
	case model.TerminateEvent:
		r.markActivated(ei)
		if scope := r.in.Elements[ei.FlowScopeKey]; scope != nil {
			r.terminateChildren(scope, ei.Key)
		}
		r.complete(ei, nil)
	default:
		r.markActivated(ei)
		r.complete(ei, nil)
	}
}

// evalString evaluates an expression that must give a string (a number is taken as its text).
func (r *run) evalString(x *model.Expr, key int64) (string, error) {
	if x == nil {
		return "", fmt.Errorf("no expression")
	}
	v, err := r.eval(x, key, nil)
	if err != nil {
		return "", fmt.Errorf("failed to evaluate expression '%s': %v", x.Source, err)
	}
	if s, ok := v.(string); ok {
		return s, nil
	}
	if s, ok := numberText(v); ok {
		return s, nil
	}
	return "", fmt.Errorf("expected result of the expression '%s' to be 'STRING', but was '%s'", x.Source, typeName(v))
}

// evalInt evaluates an expression that must give an integer (a number or numeric text).
func (r *run) evalInt(x *model.Expr, key int64) (int64, error) {
	v, err := r.eval(x, key, nil)
	if err != nil {
		return 0, fmt.Errorf("failed to evaluate expression '%s': %v", x.Source, err)
	}
	s, ok := v.(string)
	if !ok {
		s, ok = numberText(v)
	}
	if ok {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("expected result of the expression '%s' to be 'NUMBER', but was '%s'", x.Source, typeName(v))
}

// fail keeps the first Go error (an Env failure or a bad command) for the command to return.
func (r *run) fail(err error) {
	if r.err == nil {
		r.err = err
	}
}

func copyVars(v Vars) Vars {
	out := make(Vars, len(v))
	for k, raw := range v {
		out[k] = raw
	}
	return out
}
