package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/orderfleet/orderfleet/internal/engine/feel"
	"github.com/orderfleet/orderfleet/internal/engine/model"
)

// scopeOf is the flow scope key of an element instance (0 at the root or when it is gone).
func (r *run) parentKey(key int64) int64 {
	if ei := r.in.Elements[key]; ei != nil {
		return ei.FlowScopeKey
	}
	return 0
}

// lookup finds a variable from scope key outward; values are decoded when asked for.
func (r *run) lookup(key int64, name string) (json.RawMessage, bool) {
	for k := key; k != 0; k = r.parentKey(k) {
		if raw, ok := r.in.Variables[k][name]; ok {
			return raw, true
		}
		if k == r.in.Key {
			break
		}
	}
	return nil, false
}

// feelContext sees the variables from scope key outward; overlay (may be nil) shadows them all.
func (r *run) feelContext(key int64, overlay map[string]any) feel.Context {
	return feel.Context{
		Now: r.now,
		Lookup: func(name string) (any, bool) {
			if v, ok := overlay[name]; ok {
				return v, true
			}
			raw, ok := r.lookup(key, name)
			if !ok {
				return nil, false
			}
			v, err := fromJSON(raw)
			if err != nil {
				return nil, true
			}
			return v, true
		},
	}
}

// eval evaluates an expression in a scope.
func (r *run) eval(x *model.Expr, key int64, overlay map[string]any) (any, error) {
	if x == nil {
		return nil, nil
	}
	return x.Eval(r.feelContext(key, overlay))
}

// setVar creates or updates a variable in one scope and journals it; an unchanged value is
// not written again.
func (r *run) setVar(scopeKey int64, name string, raw json.RawMessage) {
	m := r.in.Variables[scopeKey]
	if m == nil {
		m = Vars{}
		r.in.Variables[scopeKey] = m
	}
	old, had := m[name]
	if had && bytes.Equal(old, raw) {
		return
	}
	m[name] = raw
	intent := "CREATED"
	if had {
		intent = "UPDATED"
	}
	rec := Record{ValueType: "VARIABLE", Intent: intent, Key: scopeKey, ProcessInstanceKey: r.in.Key}
	d := make([]byte, 0, len(name)+len(raw)+48)
	d = append(d, `{"name":`...)
	if jsonSafeName(name) {
		d = strconv.AppendQuote(d, name)
	} else {
		nb, _ := json.Marshal(name)
		d = append(d, nb...)
	}
	d = append(d, `,"value":`...)
	d = append(d, raw...)
	d = append(d, `,"scopeKey":`...)
	d = strconv.AppendInt(d, scopeKey, 10)
	d = append(d, '}')
	rec.Detail = d
	if ei := r.in.Elements[scopeKey]; ei != nil {
		rec.ElementID = ei.ElementID
	}
	r.env.Record(rec)
}

// jsonSafeName reports names whose Go quoting is also valid JSON (plain printable ASCII).
func jsonSafeName(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '\\' || c == '"' {
			return false
		}
	}
	return true
}

// setLocal sets variables in one scope, in name order so the journal is deterministic.
func (r *run) setLocal(scopeKey int64, vars Vars) {
	for _, name := range sortedNames(vars) {
		r.setVar(scopeKey, name, vars[name])
	}
}

// propagate sets each variable in the closest scope from key outward that has it, else in the
// root scope: Zeebe's rule for merging job, message and output variables.
func (r *run) propagate(key int64, vars Vars) {
	for _, name := range sortedNames(vars) {
		target := r.in.Key
		for k := key; k != 0; k = r.parentKey(k) {
			if _, ok := r.in.Variables[k][name]; ok {
				target = k
				break
			}
			if k == r.in.Key {
				break
			}
		}
		r.setVar(target, name, vars[name])
	}
}

// applyResult merges what a job, message, signal, error or child instance returned into an
// element instance: with output mappings the variables become local to the element (the
// mappings read them on completion), otherwise they propagate from the element outward.
func (r *run) applyResult(ei *ElementInstance, e *model.Element, vars Vars) {
	if len(vars) == 0 {
		return
	}
	if len(e.Outputs) > 0 {
		r.setLocal(ei.Key, vars)
		return
	}
	r.propagate(ei.Key, vars)
}

// applyInputs evaluates input mappings into the element instance's local scope. Each mapping
// sees the targets of the ones before it.
func (r *run) applyInputs(ei *ElementInstance, e *model.Element) bool {
	out, err := r.evalMappings(e.Inputs, ei.Key, nil)
	if err != nil {
		r.raise(ei, IncidentIOMapping, StepActivate, err.Error())
		return false
	}
	r.setLocal(ei.Key, out)
	return true
}

// applyOutputs evaluates output mappings against the element's scope and merges the result
// into its flow scope.
func (r *run) applyOutputs(ei *ElementInstance, e *model.Element) bool {
	out, err := r.evalMappings(e.Outputs, ei.Key, func(name string) (any, bool) {
		raw, ok := r.lookup(ei.FlowScopeKey, name)
		if !ok {
			return nil, false
		}
		v, err := fromJSON(raw)
		return v, err == nil
	})
	if err != nil {
		r.raise(ei, IncidentIOMapping, StepComplete, err.Error())
		return false
	}
	r.propagate(ei.FlowScopeKey, out)
	return true
}

// evalMappings evaluates mappings in order; a dotted target (a.b.c) sets a nested entry of a
// context, starting from base's value of its first name when that is a context.
func (r *run) evalMappings(ms []model.Mapping, key int64, base func(string) (any, bool)) (Vars, error) {
	result := map[string]any{}
	for _, m := range ms {
		v, err := r.eval(m.Source, key, result)
		if err != nil {
			return nil, fmt.Errorf("failed to evaluate expression '%s': %v", m.Source.Source, err)
		}
		path := strings.Split(m.Target, ".")
		if len(path) == 1 {
			result[m.Target] = v
			continue
		}
		root, ok := result[path[0]].(map[string]any)
		if !ok {
			root = map[string]any{}
			if base != nil {
				if cur, found := base(path[0]); found {
					if c, isCtx := cur.(map[string]any); isCtx {
						root = c
					}
				}
			}
		}
		result[path[0]] = root
		ctx := root
		for _, p := range path[1 : len(path)-1] {
			next, ok := ctx[p].(map[string]any)
			if !ok {
				next = map[string]any{}
				ctx[p] = next
			}
			ctx = next
		}
		ctx[path[len(path)-1]] = v
	}
	out := make(Vars, len(result))
	for name, v := range result {
		raw, err := toJSON(v)
		if err != nil {
			return nil, fmt.Errorf("the value of '%s' cannot be stored as a variable: %v", name, err)
		}
		out[name] = raw
	}
	return out, nil
}

func sortedNames(vars Vars) []string {
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	for i := 1; i < len(names); i++ {
		for j := i; j > 0 && names[j] < names[j-1]; j-- {
			names[j], names[j-1] = names[j-1], names[j]
		}
	}
	return names
}

// compactVars checks command variables and strips insignificant whitespace, so the document
// stays small and unchanged values compare equal.
func compactVars(vars Vars) (Vars, error) {
	for name, raw := range vars {
		if !json.Valid(raw) {
			return nil, fmt.Errorf("%w: variable '%s' is not valid JSON", ErrInvalidArgument, name)
		}
		if bytes.ContainsAny(raw, " \t\r\n") {
			var b bytes.Buffer
			if err := json.Compact(&b, raw); err == nil {
				vars[name] = b.Bytes()
			}
		}
	}
	return vars, nil
}

// detail builds a small JSON object from string pairs.
func detail(kv ...string) json.RawMessage {
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	b, _ := json.Marshal(m)
	return b
}
