package runtime

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// cron is a cron timer cycle in the six-field notation Camunda documents (second minute hour
// day-of-month month day-of-week, evaluated in UTC), e.g. "0 0 9-17 * * MON-FRI". Each field
// is a set of allowed values; day of month and day of week must both match.
type cron struct {
	sec, min, hour, dom, month, dow [64]bool
}

var cronMacros = map[string]string{
	"@yearly": "0 0 0 1 1 *", "@annually": "0 0 0 1 1 *", "@monthly": "0 0 0 1 * *",
	"@weekly": "0 0 0 * * 0", "@daily": "0 0 0 * * *", "@midnight": "0 0 0 * * *", "@hourly": "0 0 * * * *",
}

var monthNames = []string{"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"}
var dayNames = []string{"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"}

func parseCron(s string) (*cron, error) {
	text := strings.TrimSpace(s)
	if m, ok := cronMacros[strings.ToLower(text)]; ok {
		text = m
	}
	f := strings.Fields(text)
	if len(f) != 6 {
		return nil, fmt.Errorf("invalid timer cycle '%s': expected R[n]/[start/]duration or a cron expression of six fields (second minute hour day-of-month month day-of-week)", s)
	}
	c := &cron{}
	specs := []struct {
		set      *[64]bool
		lo, hi   int
		names    []string
		nameBase int
	}{
		{&c.sec, 0, 59, nil, 0}, {&c.min, 0, 59, nil, 0}, {&c.hour, 0, 23, nil, 0},
		{&c.dom, 1, 31, nil, 0}, {&c.month, 1, 12, monthNames, 1}, {&c.dow, 0, 7, dayNames, 0},
	}
	for i, sp := range specs {
		if err := cronField(f[i], sp.set, sp.lo, sp.hi, sp.names, sp.nameBase); err != nil {
			return nil, fmt.Errorf("invalid cron expression '%s': field %d '%s': %v", s, i+1, f[i], err)
		}
	}
	if c.dow[7] {
		c.dow[0] = true // 7 is Sunday too
	}
	return c, nil
}

func cronField(field string, set *[64]bool, lo, hi int, names []string, nameBase int) error {
	value := func(t string) (int, error) {
		for i, n := range names {
			if strings.EqualFold(t, n) {
				return i + nameBase, nil
			}
		}
		n, err := strconv.Atoi(t)
		if err != nil || n < lo || n > hi {
			return 0, fmt.Errorf("'%s' is not a value from %d to %d", t, lo, hi)
		}
		return n, nil
	}
	for _, part := range strings.Split(field, ",") {
		rng, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n < 1 {
				return fmt.Errorf("'%s' is not a step", stepText)
			}
			step = n
		}
		from, to := lo, hi
		switch {
		case rng == "*" || rng == "?":
		case strings.Contains(rng, "-"):
			a, b, _ := strings.Cut(rng, "-")
			var err error
			if from, err = value(a); err != nil {
				return err
			}
			if to, err = value(b); err != nil {
				return err
			}
		default:
			n, err := value(rng)
			if err != nil {
				return err
			}
			from = n
			if !hasStep {
				to = n
			}
		}
		if from > to {
			return fmt.Errorf("range %d-%d is empty", from, to)
		}
		for v := from; v <= to; v += step {
			set[v] = true
		}
	}
	return nil
}

// next is the first instant strictly after t that matches, searched field by field (at most
// a few years ahead, so an impossible date such as 31 February fails instead of looping).
func (c *cron) next(t time.Time) (time.Time, error) {
	x := t.UTC().Truncate(time.Second).Add(time.Second)
	limit := x.AddDate(5, 0, 0)
	for x.Before(limit) {
		switch {
		case !c.month[int(x.Month())]:
			x = time.Date(x.Year(), x.Month()+1, 1, 0, 0, 0, 0, time.UTC)
		case !c.dom[x.Day()] || !c.dow[int(x.Weekday())]:
			x = time.Date(x.Year(), x.Month(), x.Day()+1, 0, 0, 0, 0, time.UTC)
		case !c.hour[x.Hour()]:
			x = time.Date(x.Year(), x.Month(), x.Day(), x.Hour()+1, 0, 0, 0, time.UTC)
		case !c.min[x.Minute()]:
			x = time.Date(x.Year(), x.Month(), x.Day(), x.Hour(), x.Minute()+1, 0, 0, time.UTC)
		case !c.sec[x.Second()]:
			x = x.Add(time.Second)
		default:
			return x, nil
		}
	}
	return time.Time{}, fmt.Errorf("cron expression has no instant in the next five years")
}
