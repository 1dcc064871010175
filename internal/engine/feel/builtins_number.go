package feel

import (
	"fmt"
	"math"
	"strings"
)

func registerNumberFunctions() {
	register("number", 1, 3, false, func(_ *Context, a []any) (any, error) {
		s, err := argString(a, 0)
		if err != nil {
			return nil, err
		}
		if len(a) >= 2 {
			group, err := argString(a, 1)
			if err != nil {
				return nil, err
			}
			s = strings.ReplaceAll(s, group, "")
		}
		if len(a) == 3 {
			dec, err := argString(a, 2)
			if err != nil {
				return nil, err
			}
			s = strings.Replace(s, dec, ".", 1)
		}
		n, err := NumberFromString(strings.TrimSpace(s))
		if err != nil {
			return nil, nil // FEEL: text that is not a number gives null
		}
		return n, nil
	})
	register("abs", 1, 1, false, func(_ *Context, a []any) (any, error) {
		if d, ok := a[0].(DaysDuration); ok {
			return DaysDuration(max(int64(d), -int64(d))), nil
		}
		if d, ok := a[0].(YearsMonthsDuration); ok {
			return YearsMonthsDuration(max(int(d), -int(d))), nil
		}
		n, err := argNumber(a, 0)
		if err != nil {
			return nil, err
		}
		if n.Sign() < 0 {
			return n.Neg(), nil
		}
		return n, nil
	})
	rounding := func(name string, mode roundingMode, withScale bool) {
		maxArgs := 1
		if withScale {
			maxArgs = 2
		}
		register(name, 1, maxArgs, false, func(_ *Context, a []any) (any, error) {
			n, err := argNumber(a, 0)
			if err != nil {
				return nil, err
			}
			scale := 0
			if len(a) == 2 {
				if scale, err = argInt(a, 1); err != nil {
					return nil, err
				}
			}
			return n.round(int32(scale), mode), nil
		})
	}
	rounding("floor", roundFloor, true)
	rounding("ceiling", roundCeiling, true)
	rounding("round half up", roundHalfUp, true)
	rounding("round half down", roundHalfDown, true)
	rounding("round up", roundUp, true)
	rounding("round down", roundDown, true)
	register("decimal", 2, 2, false, func(_ *Context, a []any) (any, error) {
		n, err := argNumber(a, 0)
		if err != nil {
			return nil, err
		}
		scale, err := argInt(a, 1)
		if err != nil {
			return nil, err
		}
		return n.round(int32(scale), roundHalfEven), nil
	})
	register("modulo", 2, 2, false, func(_ *Context, a []any) (any, error) {
		n, err := argNumber(a, 0)
		if err != nil {
			return nil, err
		}
		m, err := argNumber(a, 1)
		if err != nil {
			return nil, err
		}
		if r, ok := n.Mod(m); ok {
			return r, nil
		}
		return nil, nil
	})
	register("sqrt", 1, 1, false, func(_ *Context, a []any) (any, error) {
		n, err := argNumber(a, 0)
		if err != nil {
			return nil, err
		}
		if n.Sign() < 0 {
			return nil, nil
		}
		if r, ok := NumberFromFloat64(math.Sqrt(n.Float64())); ok {
			return r, nil
		}
		return nil, nil
	})
	parity := func(name string, want int64) {
		register(name, 1, 1, false, func(_ *Context, a []any) (any, error) {
			n, err := argNumber(a, 0)
			if err != nil {
				return nil, err
			}
			if !n.IsInteger() {
				return false, nil
			}
			r, _ := n.Mod(NumberFromInt(2))
			return r.Cmp(NumberFromInt(want)) == 0, nil
		})
	}
	parity("even", 0)
	parity("odd", 1)
}

// numbersOf checks that every element is a number.
func numbersOf(values []any) ([]Number, error) {
	out := make([]Number, len(values))
	for i, v := range values {
		n, ok := v.(Number)
		if !ok {
			return nil, fmt.Errorf("element %d must be a number but is %s", i+1, typeName(v))
		}
		out[i] = n
	}
	return out, nil
}
