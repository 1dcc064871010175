package feel

import (
	"encoding/json"
	"fmt"
)

// node is a parsed expression part.
type node interface {
	eval(c *Context, s *scope) (any, error)
}

// scope is a variable binding of an iteration, a filter or a context literal, innermost first.
type scope struct {
	parent  *scope
	name    string
	value   any
	entries map[string]any // when set, the scope binds these names instead of name
}

func lookup(c *Context, s *scope, name string) (any, bool) {
	for ; s != nil; s = s.parent {
		if s.entries != nil {
			if v, ok := s.entries[name]; ok {
				return v, true
			}
			continue
		}
		if s.name == name {
			return s.value, true
		}
	}
	if c.Lookup == nil {
		return nil, false
	}
	v, ok := c.Lookup(name)
	if !ok {
		return nil, false
	}
	return normalize(v), true
}

// normalize reads the Go number types a caller may hand over as Number.
func normalize(v any) any {
	switch x := v.(type) {
	case int:
		return NumberFromInt(int64(x))
	case int64:
		return NumberFromInt(x)
	case int32:
		return NumberFromInt(int64(x))
	case float64:
		if n, ok := NumberFromFloat64(x); ok {
			return n
		}
		return nil
	case json.Number:
		if n, err := NumberFromString(string(x)); err == nil {
			return n
		}
		return nil
	}
	return v
}

type literalNode struct{ v any }

func (n *literalNode) eval(*Context, *scope) (any, error) { return n.v, nil }

type nameNode struct{ name string }

func (n *nameNode) eval(c *Context, s *scope) (any, error) {
	v, _ := lookup(c, s, n.name)
	return v, nil
}

type pathNode struct {
	base node
	key  string
}

func (n *pathNode) eval(c *Context, s *scope) (any, error) {
	b, err := n.base.eval(c, s)
	if err != nil {
		return nil, err
	}
	return member(b, n.key), nil
}

// member is v.key: a context entry, a property of a temporal value, or the member of each
// element of a list; null when there is none.
func member(v any, key string) any {
	switch x := v.(type) {
	case map[string]any:
		return normalize(x[key])
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = member(e, key)
		}
		return out
	case nil:
		return nil
	}
	return temporalProperty(v, key)
}

type negNode struct{ x node }

func (n *negNode) eval(c *Context, s *scope) (any, error) {
	v, err := n.x.eval(c, s)
	if err != nil {
		return nil, err
	}
	return negate(v), nil
}

type arithNode struct {
	op   byte // + - * / ^
	l, r node
}

func (n *arithNode) eval(c *Context, s *scope) (any, error) {
	l, r, err := evalPair(c, s, n.l, n.r)
	if err != nil {
		return nil, err
	}
	return arithmetic(n.op, l, r), nil
}

// evalPair evaluates two operands, left first.
func evalPair(c *Context, s *scope, ln, rn node) (l, r any, err error) {
	if l, err = ln.eval(c, s); err != nil {
		return nil, nil, err
	}
	if r, err = rn.eval(c, s); err != nil {
		return nil, nil, err
	}
	return l, r, nil
}

type compareNode struct {
	op   string
	l, r node
}

func (n *compareNode) eval(c *Context, s *scope) (any, error) {
	l, r, err := evalPair(c, s, n.l, n.r)
	if err != nil {
		return nil, err
	}
	return compareOp(n.op, l, r), nil
}

// compareOp applies a comparison operator; null when the values cannot be compared.
func compareOp(op string, l, r any) any {
	switch op {
	case "=":
		return equalValue(l, r)
	case "!=":
		eq := equalValue(l, r)
		if b, ok := eq.(bool); ok {
			return !b
		}
		return nil
	}
	cmp, ok := order(l, r)
	if !ok {
		return nil
	}
	switch op {
	case "<":
		return cmp < 0
	case "<=":
		return cmp <= 0
	case ">":
		return cmp > 0
	}
	return cmp >= 0
}

// andNode is FEEL's three-valued conjunction: false wins, then null (a non-boolean is null).
type andNode struct{ l, r node }

func (n *andNode) eval(c *Context, s *scope) (any, error) { return threeValued(c, s, n.l, n.r, false) }

// orNode is FEEL's three-valued disjunction: true wins, then null.
type orNode struct{ l, r node }

func (n *orNode) eval(c *Context, s *scope) (any, error) { return threeValued(c, s, n.l, n.r, true) }

// threeValued is "and" (dominant false) or "or" (dominant true): the dominant value wins as soon as
// a side has it (the right side is not evaluated after a dominant left), both sides the other
// boolean give that boolean, and anything else is null.
func threeValued(c *Context, s *scope, ln, rn node, dominant bool) (any, error) {
	l, err := ln.eval(c, s)
	if err != nil {
		return nil, err
	}
	if l == dominant {
		return dominant, nil
	}
	r, err := rn.eval(c, s)
	if err != nil {
		return nil, err
	}
	if r == dominant {
		return dominant, nil
	}
	if l == !dominant && r == !dominant {
		return !dominant, nil
	}
	return nil, nil
}

type betweenNode struct{ x, lo, hi node }

func (n *betweenNode) eval(c *Context, s *scope) (any, error) {
	x, err := n.x.eval(c, s)
	if err != nil {
		return nil, err
	}
	lo, hi, err := evalPair(c, s, n.lo, n.hi)
	if err != nil {
		return nil, err
	}
	a, ok1 := order(lo, x)
	b, ok2 := order(x, hi)
	if !ok1 || !ok2 {
		return nil, nil
	}
	return a <= 0 && b <= 0, nil
}

// rangeValue is a FEEL range; it only appears as the right side of "in" or a "for" domain.
type rangeValue struct {
	lo, hi         any
	loIncl, hiIncl bool
}

type rangeNode struct {
	lo, hi         node
	loIncl, hiIncl bool
}

func (n *rangeNode) eval(c *Context, s *scope) (any, error) {
	lo, hi, err := evalPair(c, s, n.lo, n.hi)
	if err != nil {
		return nil, err
	}
	return rangeValue{lo: lo, hi: hi, loIncl: n.loIncl, hiIncl: n.hiIncl}, nil
}

// contains says whether x is in the range; null when x does not compare with its bounds.
func (r rangeValue) contains(x any) any {
	a, ok1 := order(r.lo, x)
	b, ok2 := order(x, r.hi)
	if !ok1 || !ok2 {
		return nil
	}
	return (a < 0 || a == 0 && r.loIncl) && (b < 0 || b == 0 && r.hiIncl)
}

// unaryTestNode is "< 5" on the right of "in".
type unaryTestNode struct {
	op string
	x  node
}

func (n *unaryTestNode) eval(c *Context, s *scope) (any, error) {
	v, err := n.x.eval(c, s)
	if err != nil {
		return nil, err
	}
	return unaryTest{op: n.op, v: v}, nil
}

type unaryTest struct {
	op string
	v  any
}

type inNode struct {
	x     node
	tests []node
}

func (n *inNode) eval(c *Context, s *scope) (any, error) {
	x, err := n.x.eval(c, s)
	if err != nil {
		return nil, err
	}
	return anyMatch(len(n.tests), func(i int) (any, error) {
		tv, err := n.tests[i].eval(c, s)
		if err != nil {
			return nil, err
		}
		return matchTest(x, tv), nil
	})
}

// anyMatch is the disjunction of n matches, taken in order: true at the first true one, else
// null when one was not a boolean, else false.
func anyMatch(n int, match func(i int) (any, error)) (any, error) {
	var result any = false
	for i := range n {
		m, err := match(i)
		if err != nil {
			return nil, err
		}
		switch m := m.(type) {
		case bool:
			if m {
				return true, nil
			}
		default:
			result = nil
		}
	}
	return result, nil
}

// matchTest says whether x satisfies one test value: a range, a unary test, a list (x is one of
// its elements) or a plain value (x equals it).
func matchTest(x, test any) any {
	switch t := test.(type) {
	case rangeValue:
		return t.contains(x)
	case unaryTest:
		return compareOp(t.op, x, t.v)
	case []any:
		if _, isList := x.([]any); isList {
			if eq := equalValue(x, t); eq == true {
				return true
			}
		}
		result, _ := anyMatch(len(t), func(i int) (any, error) { return matchTest(x, t[i]), nil })
		return result
	}
	return equalValue(x, test)
}

type ifNode struct{ cond, then, els node }

func (n *ifNode) eval(c *Context, s *scope) (any, error) {
	v, err := n.cond.eval(c, s)
	if err != nil {
		return nil, err
	}
	if v == true {
		return n.then.eval(c, s)
	}
	return n.els.eval(c, s)
}

type iteration struct {
	name   string
	domain node
}

// iterationValues is the list an iteration walks: a list, or the integers of a range.
func iterationValues(c *Context, s *scope, it iteration, what string) ([]any, error) {
	v, err := it.domain.eval(c, s)
	if err != nil {
		return nil, err
	}
	switch d := v.(type) {
	case []any:
		return d, nil
	case rangeValue:
		lo, ok1 := d.lo.(Number)
		hi, ok2 := d.hi.(Number)
		a, okA := lo.Int64()
		b, okB := hi.Int64()
		if !ok1 || !ok2 || !okA || !okB {
			return nil, fmt.Errorf("feel: %s: a range to iterate needs integer bounds", what)
		}
		step := int64(1)
		if b < a {
			step = -1
		}
		if (b-a)*step > 1_000_000 {
			return nil, fmt.Errorf("feel: %s: range %d..%d is too long", what, a, b)
		}
		out := make([]any, 0, (b-a)*step+1)
		for i := a; ; i += step {
			out = append(out, NumberFromInt(i))
			if i == b {
				break
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("feel: %s: %q must be a list but is %s", what, it.name, typeName(v))
}

type forNode struct {
	its  []iteration
	body node
}

func (n *forNode) eval(c *Context, s *scope) (any, error) {
	out := []any{}
	_, err := eachBinding(c, s, n.its, "for", func(inner *scope) (bool, error) {
		v, err := n.body.eval(c, inner)
		if err != nil {
			return false, err
		}
		out = append(out, v)
		return false, nil
	})
	return out, err
}

// eachBinding calls visit with the scope of every combination of the iterations' values, the
// last iteration varying fastest, until visit says stop; it reports whether one did.
func eachBinding(c *Context, s *scope, its []iteration, what string, visit func(*scope) (bool, error)) (bool, error) {
	if len(its) == 0 {
		return visit(s)
	}
	values, err := iterationValues(c, s, its[0], what)
	if err != nil {
		return false, err
	}
	for _, v := range values {
		stop, err := eachBinding(c, &scope{parent: s, name: its[0].name, value: v}, its[1:], what, visit)
		if err != nil || stop {
			return stop, err
		}
	}
	return false, nil
}

type quantifiedNode struct {
	every bool
	its   []iteration
	cond  node
}

func (n *quantifiedNode) eval(c *Context, s *scope) (any, error) {
	what := "some"
	if n.every {
		what = "every"
	}
	// some: true as soon as one is true; every: false as soon as one is not true.
	found, err := eachBinding(c, s, n.its, what, func(inner *scope) (bool, error) {
		v, err := n.cond.eval(c, inner)
		if err != nil {
			return false, err
		}
		return (v == true) != n.every, nil
	})
	if err != nil {
		return nil, err
	}
	if n.every {
		return !found, nil
	}
	return found, nil
}

// filterNode is list[filter]: an index when the filter is a number, else a predicate on each
// element, seen as "item" and, for a context element, its entries by name.
type filterNode struct {
	list, filter node
	index        bool // the filter is a number literal: no need to try it
}

func newFilterNode(list, filter node) node {
	_, isLit := filter.(*literalNode)
	return &filterNode{list: list, filter: filter, index: isLit}
}

func (n *filterNode) eval(c *Context, s *scope) (any, error) {
	lv, err := n.list.eval(c, s)
	if err != nil {
		return nil, err
	}
	if lv == nil {
		return nil, nil
	}
	list, ok := lv.([]any)
	if !ok {
		return nil, fmt.Errorf("feel: filter: expected a list but got %s", typeName(lv))
	}
	// A filter that is a number outside of any element is an index (1-based, negative from the end).
	if probe, err := n.filter.eval(c, s); err == nil {
		if idx, ok := probe.(Number); ok {
			return indexList(list, idx), nil
		}
		if n.index {
			return list2bool(list, probe), nil
		}
	}
	out := []any{}
	for _, e := range list {
		es := &scope{parent: s, name: "item", value: e}
		if m, ok := e.(map[string]any); ok {
			es = &scope{parent: es, entries: m}
		}
		v, err := n.filter.eval(c, es)
		if err != nil {
			return nil, err
		}
		if v == true {
			out = append(out, e)
		}
	}
	return out, nil
}

// list2bool is a constant filter: true keeps everything, anything else nothing.
func list2bool(list []any, v any) any {
	if v == true {
		return list
	}
	return []any{}
}

func indexList(list []any, idx Number) any {
	i, ok := idx.Int64()
	if !ok {
		return nil
	}
	switch {
	case i > 0 && i <= int64(len(list)):
		return list[i-1]
	case i < 0 && -i <= int64(len(list)):
		return list[int64(len(list))+i]
	}
	return nil
}

type listNode struct{ items []node }

func (n *listNode) eval(c *Context, s *scope) (any, error) {
	out := make([]any, len(n.items))
	for i, it := range n.items {
		v, err := it.eval(c, s)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// contextNode is {a: 1, b: a + 1}: later entries see the earlier ones.
type contextNode struct {
	keys   []string
	values []node
}

func (n *contextNode) eval(c *Context, s *scope) (any, error) {
	m := make(map[string]any, len(n.keys))
	inner := &scope{parent: s, entries: m}
	for i, k := range n.keys {
		v, err := n.values[i].eval(c, inner)
		if err != nil {
			return nil, err
		}
		m[k] = v
	}
	return m, nil
}

type callNode struct {
	name string
	fn   *builtin
	args []node
	pos  int
}

func (n *callNode) eval(c *Context, s *scope) (any, error) {
	if n.fn == nil {
		return nil, fmt.Errorf("feel: unknown function %q", n.name)
	}
	if len(n.args) < n.fn.min || n.fn.max >= 0 && len(n.args) > n.fn.max {
		return nil, fmt.Errorf("feel: %s: %s, got %d", n.name, n.fn.arity(), len(n.args))
	}
	var buf [4]any
	args := buf[:0]
	if len(n.args) > len(buf) {
		args = make([]any, 0, len(n.args))
	}
	for _, a := range n.args {
		v, err := a.eval(c, s)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	v, err := n.fn.call(c, args)
	if err != nil {
		return nil, fmt.Errorf("feel: %s: %w", n.name, err)
	}
	return v, nil
}
