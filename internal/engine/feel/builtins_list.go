package feel

import (
	"fmt"
	"sort"
)

func registerListFunctions() {
	register("count", 1, 1, false, func(_ *Context, a []any) (any, error) {
		l, err := argList(a, 0)
		if err != nil {
			return nil, err
		}
		return NumberFromInt(int64(len(l))), nil
	})
	register("list contains", 2, 2, true, func(_ *Context, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		l, err := argList(a, 0)
		if err != nil {
			return nil, err
		}
		for _, e := range l {
			if equalValue(normalize(e), a[1]) == true {
				return true, nil
			}
		}
		return false, nil
	})
	register("sum", 1, -1, true, numericFold(func(ns []Number) any {
		total := Number{}
		for _, n := range ns {
			total = total.Add(n)
		}
		return total
	}))
	register("product", 1, -1, true, numericFold(func(ns []Number) any {
		total := NumberFromInt(1)
		for _, n := range ns {
			total = total.Mul(n)
		}
		return total
	}))
	register("mean", 1, -1, true, numericFold(func(ns []Number) any {
		total := Number{}
		for _, n := range ns {
			total = total.Add(n)
		}
		q, _ := total.Div(NumberFromInt(int64(len(ns))))
		return q
	}))
	extreme := func(name string, want int) {
		register(name, 1, -1, true, func(_ *Context, a []any) (any, error) {
			values, err := listOrArgs(a)
			if err != nil || len(values) == 0 {
				return nil, err
			}
			best := normalize(values[0])
			for _, v := range values[1:] {
				v = normalize(v)
				c, ok := order(v, best)
				if !ok {
					return nil, fmt.Errorf("cannot compare %s with %s", typeName(v), typeName(best))
				}
				if c == want {
					best = v
				}
			}
			return best, nil
		})
	}
	extreme("min", -1)
	extreme("max", 1)
	register("append", 1, -1, true, func(_ *Context, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		l, err := argList(a, 0)
		if err != nil {
			return nil, err
		}
		out := make([]any, 0, len(l)+len(a)-1)
		return append(append(out, l...), a[1:]...), nil
	})
	register("concatenate", 0, -1, false, func(_ *Context, a []any) (any, error) { return concatLists(a) })
	register("flatten", 1, 1, false, func(_ *Context, a []any) (any, error) {
		l, err := argList(a, 0)
		if err != nil {
			return nil, err
		}
		return flatten(l, []any{}), nil
	})
	register("distinct values", 1, 1, false, func(_ *Context, a []any) (any, error) {
		l, err := argList(a, 0)
		if err != nil {
			return nil, err
		}
		return distinct(l), nil
	})
	register("union", 0, -1, false, func(_ *Context, a []any) (any, error) {
		all, err := concatLists(a)
		if err != nil {
			return nil, err
		}
		return distinct(all), nil
	})
	register("index of", 2, 2, true, func(_ *Context, a []any) (any, error) {
		if a[0] == nil {
			return nil, nil
		}
		l, err := argList(a, 0)
		if err != nil {
			return nil, err
		}
		out := []any{}
		for i, e := range l {
			if equalValue(normalize(e), a[1]) == true {
				out = append(out, NumberFromInt(int64(i+1)))
			}
		}
		return out, nil
	})
	register("is empty", 1, 1, false, func(_ *Context, a []any) (any, error) {
		l, err := argList(a, 0)
		if err != nil {
			return nil, err
		}
		return len(l) == 0, nil
	})
	register("reverse", 1, 1, false, func(_ *Context, a []any) (any, error) {
		l, err := argList(a, 0)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(l))
		for i, e := range l {
			out[len(l)-1-i] = e
		}
		return out, nil
	})
	register("sublist", 2, 3, false, func(_ *Context, a []any) (any, error) {
		l, err := argList(a, 0)
		if err != nil {
			return nil, err
		}
		start, err := argInt(a, 1)
		if err != nil {
			return nil, err
		}
		from := start - 1
		if start < 0 {
			from = len(l) + start
		}
		if from < 0 || from >= len(l) && len(l) > 0 {
			return nil, fmt.Errorf("start position %d is outside the list of %d", start, len(l))
		}
		to := len(l)
		if len(a) == 3 {
			length, err := argInt(a, 2)
			if err != nil {
				return nil, err
			}
			to = max(from, min(from+length, len(l)))
		}
		return append([]any{}, l[from:to]...), nil
	})
	register("insert before", 3, 3, true, func(_ *Context, a []any) (any, error) {
		l, i, err := listAndIndex(a, 1)
		if err != nil {
			return nil, err
		}
		out := append(append(append(make([]any, 0, len(l)+1), l[:i]...), a[2]), l[i:]...)
		return out, nil
	})
	register("remove", 2, 2, false, func(_ *Context, a []any) (any, error) {
		l, i, err := listAndIndex(a, 0)
		if err != nil {
			return nil, err
		}
		return append(append(make([]any, 0, len(l)-1), l[:i]...), l[i+1:]...), nil
	})
	// sort(list) sorts numbers, strings or temporal values ascending; FEEL's sort with a
	// "precedes" function is not supported (no function values).
	register("sort", 1, 1, false, func(_ *Context, a []any) (any, error) {
		l, err := argList(a, 0)
		if err != nil {
			return nil, err
		}
		values := make([]any, len(l))
		for i, e := range l {
			values[i] = normalize(e)
		}
		return sortValues(values)
	})
	register("all", 1, -1, true, booleanFold(false))
	register("any", 1, -1, true, booleanFold(true))
}

// booleanFold is "all" (dominant false) or "any" (dominant true) over booleans given as one list or
// as arguments: the dominant value wins, else null when one is not a boolean, else the other boolean.
func booleanFold(dominant bool) func(*Context, []any) (any, error) {
	return func(_ *Context, a []any) (any, error) {
		values, err := listOrArgs(a)
		if err != nil || values == nil && len(a) == 1 {
			return nil, err
		}
		var result any = !dominant
		for _, v := range values {
			switch v {
			case dominant:
				return dominant, nil
			case !dominant:
			default:
				result = nil
			}
		}
		return result, nil
	}
}

// numericFold is a function over numbers given as one list or as arguments; null for an empty
// list (sum of nothing is null in FEEL).
func numericFold(f func([]Number) any) func(*Context, []any) (any, error) {
	return func(_ *Context, a []any) (any, error) {
		values, err := listOrArgs(a)
		if err != nil || len(values) == 0 {
			return nil, err
		}
		for i, v := range values {
			values[i] = normalize(v)
		}
		ns, err := numbersOf(values)
		if err != nil {
			return nil, err
		}
		return f(ns), nil
	}
}

func flatten(l []any, out []any) []any {
	for _, e := range l {
		if inner, ok := e.([]any); ok {
			out = flatten(inner, out)
		} else {
			out = append(out, e)
		}
	}
	return out
}

func distinct(l []any) []any {
	out := []any{}
	for _, e := range l {
		e = normalize(e)
		dup := false
		for _, o := range out {
			if equalValue(o, e) == true {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, e)
		}
	}
	return out
}

func registerContextFunctions() {
	register("get value", 2, 2, true, func(_ *Context, a []any) (any, error) {
		if a[0] == nil || a[1] == nil {
			return nil, nil
		}
		m, err := argContext(a, 0)
		if err != nil {
			return nil, err
		}
		if key, ok := a[1].(string); ok {
			return normalize(m[key]), nil
		}
		path, err := argList(a, 1)
		if err != nil {
			return nil, fmt.Errorf("argument 2 must be a string or a list of strings but is %s", typeName(a[1]))
		}
		var v any = m
		for _, k := range path {
			key, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("a key must be a string but is %s", typeName(k))
			}
			cm, ok := v.(map[string]any)
			if !ok {
				return nil, nil
			}
			v = normalize(cm[key])
		}
		return v, nil
	})
	register("get entries", 1, 1, false, func(_ *Context, a []any) (any, error) {
		m, err := argContext(a, 0)
		if err != nil {
			return nil, err
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = map[string]any{"key": k, "value": normalize(m[k])}
		}
		return out, nil
	})
	register("context put", 3, 3, true, func(_ *Context, a []any) (any, error) {
		if a[0] == nil || a[1] == nil {
			return nil, nil
		}
		m, err := argContext(a, 0)
		if err != nil {
			return nil, err
		}
		var path []any
		if key, ok := a[1].(string); ok {
			path = []any{key}
		} else if path, err = argList(a, 1); err != nil || len(path) == 0 {
			return nil, fmt.Errorf("argument 2 must be a key or a non-empty list of keys")
		}
		return putPath(m, path, a[2])
	})
	register("context merge", 1, 1, false, func(_ *Context, a []any) (any, error) {
		l, err := argList(a, 0)
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		for i, e := range l {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("element %d must be a context but is %s", i+1, typeName(e))
			}
			for k, v := range m {
				out[k] = v
			}
		}
		return out, nil
	})
	register("context", 1, 1, false, func(_ *Context, a []any) (any, error) {
		l, err := argList(a, 0)
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		for i, e := range l {
			m, ok := e.(map[string]any)
			key, okKey := m["key"].(string)
			if !ok || !okKey {
				return nil, fmt.Errorf("element %d must be a context with a string key", i+1)
			}
			out[key] = m["value"]
		}
		return out, nil
	})
}

// putPath is a copy of m with the value set at the key path, creating nested contexts.
func putPath(m map[string]any, path []any, v any) (any, error) {
	key, ok := path[0].(string)
	if !ok {
		return nil, fmt.Errorf("a key must be a string but is %s", typeName(path[0]))
	}
	out := make(map[string]any, len(m)+1)
	for k, e := range m {
		out[k] = e
	}
	if len(path) == 1 {
		out[key] = v
		return out, nil
	}
	inner, _ := m[key].(map[string]any)
	nested, err := putPath(inner, path[1:], v)
	if err != nil {
		return nil, err
	}
	out[key] = nested
	return out, nil
}

// listAndIndex reads a list (argument 0) and a 1-based position in it (argument 1, negative
// counting from the end) as a 0-based index; past is how far beyond the last element it may go
// (1 to insert at the end).
func listAndIndex(a []any, past int) ([]any, int, error) {
	l, err := argList(a, 0)
	if err != nil {
		return nil, 0, err
	}
	pos, err := argInt(a, 1)
	if err != nil {
		return nil, 0, err
	}
	i := pos - 1
	if pos < 0 {
		i = len(l) + pos
	}
	if i < 0 || i >= len(l)+past {
		return nil, 0, fmt.Errorf("position %d is outside the list of %d", pos, len(l))
	}
	return l, i, nil
}

// concatLists is every argument (each a list) joined in order.
func concatLists(a []any) ([]any, error) {
	out := []any{}
	for i := range a {
		l, err := argList(a, i)
		if err != nil {
			return nil, err
		}
		out = append(out, l...)
	}
	return out, nil
}
