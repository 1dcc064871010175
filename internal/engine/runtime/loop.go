package runtime

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/orderfleet/orderfleet/internal/engine/model"
)

// activateBody starts a multi-instance body: the input collection is evaluated once, the
// output collection starts as a list of nulls, and the inner instances start (all at once, or
// one after the other when sequential).
func (r *run) activateBody(body *ElementInstance, e *model.Element) {
	l := e.Loop
	v, err := r.eval(l.InputCollection, body.Key, nil)
	if err != nil {
		r.raise(body, IncidentExtractValue, StepActivate, fmt.Sprintf("failed to evaluate expression '%s': %v", l.InputCollection.Source, err))
		return
	}
	list, ok := v.([]any)
	if !ok {
		r.raise(body, IncidentExtractValue, StepActivate,
			fmt.Sprintf("Expected result of the expression '%s' to be 'ARRAY', but was '%s'.", l.InputCollection.Source, typeName(v)))
		return
	}
	items := make([]json.RawMessage, len(list))
	for i, item := range list {
		raw, err := toJSON(item)
		if err != nil {
			r.raise(body, IncidentExtractValue, StepActivate, fmt.Sprintf("item %d of '%s' cannot be stored: %v", i+1, l.InputCollection.Source, err))
			return
		}
		items[i] = raw
	}
	if !r.openBoundaries(body, e) {
		return
	}
	r.markActivated(body)
	body.Loop = &LoopState{Total: len(items), Next: 1}
	if l.OutputCollection != "" {
		r.setVar(body.Key, l.OutputCollection, json.RawMessage("["+strings.TrimSuffix(strings.Repeat("null,", len(items)), ",")+"]"))
	}
	if len(items) == 0 {
		r.push(stepComplete, body.Key)
		return
	}
	if l.Sequential {
		r.startInner(body, e, items[0])
		if len(items) > 1 {
			body.Loop.Pending = items[1:]
		}
		return
	}
	for _, item := range items {
		r.startInner(body, e, item)
	}
}

// startInner creates one inner instance with its loopCounter and input element.
func (r *run) startInner(body *ElementInstance, e *model.Element, item json.RawMessage) {
	inner := r.newInstance(e, e.Type, body.Key)
	inner.LoopCounter = body.Loop.Next
	body.Loop.Next++
	if e.Loop.InputElement != "" {
		r.setVar(inner.Key, e.Loop.InputElement, item)
	}
	r.setVar(inner.Key, "loopCounter", json.RawMessage(strconv.Itoa(inner.LoopCounter)))
	r.push(stepActivate, inner.Key)
}

// innerCompleting runs while an inner instance completes: its output element goes to its
// place in the output collection, and the completion condition says whether the body is done.
func (r *run) innerCompleting(body, inner *ElementInstance, e *model.Element) (done, ok bool) {
	l := e.Loop
	if l.OutputElement != nil && l.OutputCollection != "" {
		v, err := r.eval(l.OutputElement, inner.Key, nil)
		if err != nil {
			r.raise(inner, IncidentExtractValue, StepComplete, fmt.Sprintf("failed to evaluate expression '%s': %v", l.OutputElement.Source, err))
			return false, false
		}
		raw, err := toJSON(v)
		if err != nil {
			r.raise(inner, IncidentExtractValue, StepComplete, err.Error())
			return false, false
		}
		var coll []json.RawMessage
		if cur, ok := r.in.Variables[body.Key][l.OutputCollection]; ok {
			_ = json.Unmarshal(cur, &coll)
		}
		if i := inner.LoopCounter - 1; i >= 0 && i < len(coll) {
			coll[i] = raw
			b, _ := json.Marshal(coll)
			r.setVar(body.Key, l.OutputCollection, b)
		}
	}
	if l.CompletionCondition == nil {
		return false, true
	}
	overlay := map[string]any{
		"numberOfInstances":           feelInt(body.Loop.Total),
		"numberOfActiveInstances":     feelInt(body.Children - 1),
		"numberOfCompletedInstances":  feelInt(body.Loop.Completed + 1),
		"numberOfTerminatedInstances": feelInt(body.Loop.Terminated),
	}
	v, err := r.eval(l.CompletionCondition, inner.Key, overlay)
	if err != nil {
		r.raise(inner, IncidentConditionError, StepComplete, fmt.Sprintf("failed to evaluate expression '%s': %v", l.CompletionCondition.Source, err))
		return false, false
	}
	b, isBool := v.(bool)
	if !isBool {
		r.raise(inner, IncidentConditionError, StepComplete,
			fmt.Sprintf("Expected result of the expression '%s' to be 'BOOLEAN', but was '%s'.", l.CompletionCondition.Source, typeName(v)))
		return false, false
	}
	return b, true
}

// loopContinue runs after an inner instance completed: the body ends early when the
// completion condition held, starts the next item when sequential, or completes when done.
func (r *run) loopContinue(body *ElementInstance, e *model.Element, done bool) {
	if done {
		r.terminateChildren(body, 0)
		body.Loop.Pending = nil
		r.push(stepComplete, body.Key)
		return
	}
	if len(body.Loop.Pending) > 0 {
		item := body.Loop.Pending[0]
		body.Loop.Pending = body.Loop.Pending[1:]
		if len(body.Loop.Pending) == 0 {
			body.Loop.Pending = nil
		}
		r.startInner(body, e, item)
		return
	}
	if body.Children == 0 {
		r.push(stepComplete, body.Key)
	}
}
