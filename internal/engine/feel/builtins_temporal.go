package feel

import (
	"fmt"
	"time"
)

func registerTemporalFunctions() {
	register("now", 0, 0, false, func(c *Context, _ []any) (any, error) {
		return DateTime{T: c.Now}, nil
	})
	register("today", 0, 0, false, func(c *Context, _ []any) (any, error) {
		return DateOf(c.Now), nil
	})
	register("date", 1, 3, false, func(_ *Context, a []any) (any, error) {
		if len(a) == 3 {
			y, m, d, err := threeInts(a)
			if err != nil {
				return nil, err
			}
			t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
			if t.Day() != d || int(t.Month()) != m {
				return nil, fmt.Errorf("%d-%d-%d is not a date", y, m, d)
			}
			return DateOf(t), nil
		}
		if len(a) != 1 {
			return nil, fmt.Errorf("takes 1 or 3 arguments, got %d", len(a))
		}
		switch x := a[0].(type) {
		case Date:
			return x, nil
		case DateTime:
			return DateOf(x.T), nil
		case string:
			if d, err := parseDate(x); err == nil {
				return d, nil
			}
			if dt, err := parseDateTime(x); err == nil {
				return DateOf(dt.T), nil
			}
			return nil, nil // FEEL: text that is not a date gives null
		}
		return nil, fmt.Errorf("argument 1 must be a string, a date or a date and time but is %s", typeName(a[0]))
	})
	register("time", 1, 4, false, func(_ *Context, a []any) (any, error) {
		if len(a) >= 3 {
			h, m, s, err := threeInts(a)
			if err != nil {
				return nil, err
			}
			t := Time{Hour: h, Minute: m, Second: s}
			if len(a) == 4 {
				off, ok := a[3].(DaysDuration)
				if !ok {
					return nil, fmt.Errorf("argument 4 must be a days and time duration but is %s", typeName(a[3]))
				}
				t.HasOffset, t.Offset = true, int(time.Duration(off)/time.Second)
			}
			return t, nil
		}
		if len(a) != 1 {
			return nil, fmt.Errorf("takes 1, 3 or 4 arguments, got %d", len(a))
		}
		switch x := a[0].(type) {
		case Time:
			return x, nil
		case DateTime:
			t := Time{Hour: x.T.Hour(), Minute: x.T.Minute(), Second: x.T.Second(), Nanosecond: x.T.Nanosecond()}
			if !x.Local {
				_, off := x.T.Zone()
				t.HasOffset, t.Offset = true, off
			}
			return t, nil
		case Date:
			return Time{HasOffset: true}, nil
		case string:
			if t, err := parseTime(x); err == nil {
				return t, nil
			}
			return nil, nil
		}
		return nil, fmt.Errorf("argument 1 must be a string, a time or a date and time but is %s", typeName(a[0]))
	})
	register("date and time", 1, 2, false, func(_ *Context, a []any) (any, error) {
		if len(a) == 2 {
			var day Date
			switch x := a[0].(type) {
			case Date:
				day = x
			case DateTime:
				day = DateOf(x.T)
			default:
				return nil, fmt.Errorf("argument 1 must be a date but is %s", typeName(a[0]))
			}
			t, ok := a[1].(Time)
			if !ok {
				return nil, fmt.Errorf("argument 2 must be a time but is %s", typeName(a[1]))
			}
			loc := time.UTC
			if t.HasOffset && t.Offset != 0 {
				loc = time.FixedZone("", t.Offset)
			}
			return DateTime{T: time.Date(day.Year, day.Month, day.Day, t.Hour, t.Minute, t.Second, t.Nanosecond, loc), Local: !t.HasOffset}, nil
		}
		switch x := a[0].(type) {
		case DateTime:
			return x, nil
		case Date:
			return DateTime{T: x.t(), Local: true}, nil
		case string:
			if dt, err := parseDateTime(x); err == nil {
				return dt, nil
			}
			if d, err := parseDate(x); err == nil {
				return DateTime{T: d.t(), Local: true}, nil
			}
			return nil, nil
		}
		return nil, fmt.Errorf("argument 1 must be a string but is %s", typeName(a[0]))
	})
	register("duration", 1, 1, false, func(_ *Context, a []any) (any, error) {
		s, err := argString(a, 0)
		if err != nil {
			return nil, err
		}
		d, err := ParseDuration(s)
		if err != nil {
			return nil, nil // FEEL: text that is not a duration gives null
		}
		return d, nil
	})
	register("years and months duration", 2, 2, false, func(_ *Context, a []any) (any, error) {
		from, ok1 := dateLike(a[0])
		to, ok2 := dateLike(a[1])
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("arguments must be dates or date-times but are %s and %s", typeName(a[0]), typeName(a[1]))
		}
		months := (to.Year()-from.Year())*12 + int(to.Month()) - int(from.Month())
		// A month counts only once its day (and time) is reached.
		if months > 0 && addMonths(from, months).After(to) {
			months--
		} else if months < 0 && addMonths(from, months).Before(to) {
			months++
		}
		return YearsMonthsDuration(months), nil
	})
	dateFunction := func(name string, f func(t time.Time) any) {
		register(name, 1, 1, false, func(_ *Context, a []any) (any, error) {
			t, ok := dateLike(a[0])
			if !ok {
				return nil, fmt.Errorf("argument 1 must be a date or a date and time but is %s", typeName(a[0]))
			}
			return f(t), nil
		})
	}
	dateFunction("day of week", func(t time.Time) any { return t.Weekday().String() })
	dateFunction("month of year", func(t time.Time) any { return t.Month().String() })
	dateFunction("day of year", func(t time.Time) any { return NumberFromInt(int64(t.YearDay())) })
	dateFunction("week of year", func(t time.Time) any {
		_, w := t.ISOWeek()
		return NumberFromInt(int64(w))
	})
	dateFunction("last day of month", func(t time.Time) any {
		return NumberFromInt(int64(time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()))
	})
}

func dateLike(v any) (time.Time, bool) {
	switch x := v.(type) {
	case Date:
		return x.t(), true
	case DateTime:
		return x.T, true
	}
	return time.Time{}, false
}

func threeInts(a []any) (int, int, int, error) {
	var out [3]int
	for i := range out {
		v, err := argInt(a, i)
		if err != nil {
			return 0, 0, 0, err
		}
		out[i] = v
	}
	return out[0], out[1], out[2], nil
}
