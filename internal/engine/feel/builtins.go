package feel

import (
	"fmt"
	"sort"
	"strings"
)

// builtin is a FEEL built-in function.
type builtin struct {
	min, max int // argument count; max -1 for any number
	// nullable functions see null arguments; for the others a null argument makes the result null.
	nullable bool
	fn       func(c *Context, args []any) (any, error)
}

func (b *builtin) arity() string {
	switch {
	case b.min == b.max:
		return fmt.Sprintf("takes %d argument(s)", b.min)
	case b.max < 0:
		return fmt.Sprintf("takes at least %d argument(s)", b.min)
	}
	return fmt.Sprintf("takes %d to %d arguments", b.min, b.max)
}

func (b *builtin) call(c *Context, args []any) (any, error) {
	if !b.nullable {
		for _, a := range args {
			if a == nil {
				return nil, nil
			}
		}
	}
	return b.fn(c, args)
}

// builtins by name; names with spaces ("upper case") are found by the parser word by word.
var builtins = map[string]*builtin{}

// maxBuiltinWords is the most words in a built-in name.
var maxBuiltinWords = 1

func register(name string, min, max int, nullable bool, fn func(c *Context, args []any) (any, error)) {
	builtins[name] = &builtin{min: min, max: max, nullable: nullable, fn: fn}
	maxBuiltinWords = max2(maxBuiltinWords, len(strings.Fields(name)))
}

func max2(a, b int) int {
	if a > b {
		return a
	}
	return b
}

func init() {
	registerBooleanFunctions()
	registerNumberFunctions()
	registerStringFunctions()
	registerListFunctions()
	registerContextFunctions()
	registerTemporalFunctions()
}

func registerBooleanFunctions() {
	register("not", 1, 1, true, func(_ *Context, a []any) (any, error) {
		if b, ok := a[0].(bool); ok {
			return !b, nil
		}
		return nil, nil
	})
	// "is defined" is parsed into definedNode; this entry lets the parser find the name and
	// makes a call with the wrong argument count an error.
	register("is defined", 1, 1, true, func(_ *Context, a []any) (any, error) { return true, nil })
	register("get or else", 2, 2, true, func(_ *Context, a []any) (any, error) {
		if a[0] == nil {
			return a[1], nil
		}
		return a[0], nil
	})
	register("assert", 2, 2, true, func(_ *Context, a []any) (any, error) {
		if a[0] == nil || a[0] == false {
			return nil, fmt.Errorf("assertion failed: %v", a[1])
		}
		return a[0], nil
	})
}

// Argument readers: the error says which argument and what it was.

func argNumber(a []any, i int) (Number, error) {
	if n, ok := a[i].(Number); ok {
		return n, nil
	}
	return Number{}, fmt.Errorf("argument %d must be a number but is %s", i+1, typeName(a[i]))
}

func argInt(a []any, i int) (int, error) {
	n, err := argNumber(a, i)
	if err != nil {
		return 0, err
	}
	v, ok := n.Int64()
	if !ok || v > 1<<31 || v < -(1<<31) {
		return 0, fmt.Errorf("argument %d must be an integer but is %s", i+1, n)
	}
	return int(v), nil
}

func argString(a []any, i int) (string, error) {
	if s, ok := a[i].(string); ok {
		return s, nil
	}
	return "", fmt.Errorf("argument %d must be a string but is %s", i+1, typeName(a[i]))
}

func argList(a []any, i int) ([]any, error) {
	if l, ok := a[i].([]any); ok {
		return l, nil
	}
	return nil, fmt.Errorf("argument %d must be a list but is %s", i+1, typeName(a[i]))
}

func argContext(a []any, i int) (map[string]any, error) {
	if m, ok := a[i].(map[string]any); ok {
		return m, nil
	}
	return nil, fmt.Errorf("argument %d must be a context but is %s", i+1, typeName(a[i]))
}

// listOrArgs is the list of a function that takes one list or its elements as arguments
// (sum([1, 2]) and sum(1, 2)).
func listOrArgs(a []any) ([]any, error) {
	if len(a) == 1 {
		if l, ok := a[0].([]any); ok {
			return l, nil
		}
		if a[0] == nil {
			return nil, nil
		}
	}
	return a, nil
}

// sortValues sorts a copy of values by FEEL order; an error when two do not compare.
func sortValues(values []any) ([]any, error) {
	out := append([]any(nil), values...)
	var failed error
	sort.SliceStable(out, func(i, j int) bool {
		c, ok := order(out[i], out[j])
		if !ok && failed == nil {
			failed = fmt.Errorf("cannot compare %s with %s", typeName(out[i]), typeName(out[j]))
		}
		return c < 0
	})
	return out, failed
}
