package feel

import (
	"strings"
	"time"
)

// typeName is how errors name a value's FEEL type.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case Number:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "a context"
	case Date:
		return "a date"
	case Time:
		return "a time"
	case DateTime:
		return "a date and time"
	case DaysDuration:
		return "a days and time duration"
	case YearsMonthsDuration:
		return "a years and months duration"
	case rangeValue:
		return "a range"
	}
	return "an unsupported value"
}

// equalValue is FEEL "=": true or false; null when the two values are of kinds FEEL does not
// compare. null equals only null.
func equalValue(a, b any) any {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	switch x := a.(type) {
	case bool:
		if y, ok := b.(bool); ok {
			return x == y
		}
	case string:
		if y, ok := b.(string); ok {
			return x == y
		}
	case Number:
		if y, ok := b.(Number); ok {
			return x.Cmp(y) == 0
		}
	case []any:
		y, ok := b.([]any)
		if !ok {
			return nil
		}
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if eq := equalValue(x[i], normalize(y[i])); eq != true {
				return eq
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok {
			return nil
		}
		if len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, found := y[k]
			if !found {
				return false
			}
			if eq := equalValue(normalize(xv), normalize(yv)); eq != true {
				return eq
			}
		}
		return true
	default:
		if c, ok := order(a, b); ok {
			return c == 0
		}
	}
	return nil
}

// order compares two values of an ordered kind: numbers, strings, dates, times, date-times
// (both with or both without an offset) and durations of one kind; ok is false otherwise.
func order(a, b any) (int, bool) {
	switch x := a.(type) {
	case Number:
		if y, ok := b.(Number); ok {
			return x.Cmp(y), true
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), true
		}
	case Date:
		if y, ok := b.(Date); ok {
			return x.t().Compare(y.t()), true
		}
	case Time:
		if y, ok := b.(Time); ok && x.HasOffset == y.HasOffset {
			return cmpInt(x.instant(), y.instant()), true
		}
	case DateTime:
		if y, ok := b.(DateTime); ok && x.Local == y.Local {
			if x.Local {
				return x.T.Compare(y.T), true
			}
			return x.T.Compare(y.T), true
		}
	case DaysDuration:
		if y, ok := b.(DaysDuration); ok {
			return cmpInt(int64(x), int64(y)), true
		}
	case YearsMonthsDuration:
		if y, ok := b.(YearsMonthsDuration); ok {
			return cmpInt(int64(x), int64(y)), true
		}
	}
	return 0, false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func negate(v any) any {
	switch x := v.(type) {
	case Number:
		return x.Neg()
	case DaysDuration:
		return -x
	case YearsMonthsDuration:
		return -x
	}
	return nil
}

// arithmetic applies + - * / ** ('^'); null where FEEL defines no result (null operands,
// mismatched kinds, division by zero).
func arithmetic(op byte, l, r any) any {
	if l == nil || r == nil {
		return nil
	}
	if a, ok := l.(Number); ok {
		b, ok := r.(Number)
		if !ok {
			if op == '*' {
				return arithmetic(op, r, l) // number × duration
			}
			return nil
		}
		switch op {
		case '+':
			return a.Add(b)
		case '-':
			return a.Sub(b)
		case '*':
			return a.Mul(b)
		case '/':
			if q, ok := a.Div(b); ok {
				return q
			}
			return nil
		case '^':
			if p, ok := a.Pow(b); ok {
				return p
			}
		}
		return nil
	}
	if a, ok := l.(string); ok {
		if b, ok := r.(string); ok && op == '+' {
			return a + b
		}
		return nil
	}
	return temporalArithmetic(op, l, r)
}

// durationTimesNumber scales a duration; nil when the factor is not a number.
func durationTimes(d time.Duration, n Number, divide bool) (time.Duration, bool) {
	ns := NumberFromInt(int64(d))
	var v Number
	if divide {
		q, ok := ns.Div(n)
		if !ok {
			return 0, false
		}
		v = q
	} else {
		v = ns.Mul(n)
	}
	i, ok := v.round(0, roundHalfUp).Int64()
	return time.Duration(i), ok
}
