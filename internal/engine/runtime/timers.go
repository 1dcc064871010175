package runtime

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/orderfleet/orderfleet/internal/engine/feel"
	"github.com/orderfleet/orderfleet/internal/engine/model"
)

type schedule struct {
	due         time.Time
	repetitions int
	interval    string
}

// schedule evaluates a timer definition against the engine clock: a duration from now, a
// date, or a cycle "R[n]/[start/]duration" (repetitions -1 unbounded, n-1 after the first).
func (r *run) schedule(t *model.Timer, key int64) (schedule, error) {
	v, err := r.eval(t.Value, key, nil)
	if err != nil {
		return schedule{}, fmt.Errorf("failed to evaluate expression '%s': %v", t.Value.Source, err)
	}
	text, ok := temporalText(v)
	if !ok {
		return schedule{}, fmt.Errorf("expected result of the expression '%s' to be a duration, date-time or cycle, but was '%s'", t.Value.Source, typeName(v))
	}
	return parseSchedule(t.Kind, text, r.now)
}

// TimerSchedule reads a timer's ISO-8601 text (a date, a duration from now, or a cycle: R[n]/...
// or a cron expression) the way timer events do: when it is first due, how many firings follow
// (-1: unbounded) and the cycle's interval for NextTimerDue ("" for a one-shot timer). The store
// uses it for timer start events.
func TimerSchedule(kind model.TimerKind, text string, now time.Time) (due time.Time, repetitions int, interval string, err error) {
	s, err := parseSchedule(kind, strings.TrimSpace(text), now)
	return s.due, s.repetitions, s.interval, err
}

func parseSchedule(kind model.TimerKind, text string, now time.Time) (schedule, error) {
	switch kind {
	case model.TimerDate:
		at, err := parseDateTime(text)
		if err != nil {
			return schedule{}, err
		}
		return schedule{due: at}, nil
	case model.TimerCycle:
		return parseCycle(text, now)
	default:
		d, err := parseISODuration(text)
		if err != nil {
			return schedule{}, err
		}
		return schedule{due: d.addTo(now)}, nil
	}
}

// temporalText is the ISO-8601 text of a timer value: a string, a time, or a FEEL temporal value.
func temporalText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return strings.TrimSpace(x), true
	case time.Time:
		return x.Format(time.RFC3339Nano), true
	case nil, bool, []any, map[string]any, feel.Number:
		return "", false
	}
	// FEEL temporal values: their JSON form is their ISO-8601 text.
	raw, err := feel.ToJSON(v)
	if err != nil {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

func parseDateTime(s string) (time.Time, error) {
	// "2019-10-02T08:09:40+02:00[Europe/Berlin]": the offset fixes the instant; the zone id
	// only names the region (docs.camunda.io, timer events, "Time date").
	if i := strings.IndexByte(s, '['); i > 0 && strings.HasSuffix(s, "]") {
		name := s[i+1 : len(s)-1]
		s = s[:i]
		if at, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return at, nil
		}
		s += "@" + name
	}
	zone := ""
	if i := strings.IndexByte(s, '@'); i >= 0 {
		s, zone = s[:i], s[i+1:]
	}
	if zone != "" {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			return time.Time{}, fmt.Errorf("invalid time zone '%s' in timer date", zone)
		}
		return time.ParseInLocation("2006-01-02T15:04:05", s, loc)
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05"} {
		if at, err := time.Parse(layout, s); err == nil {
			return at, nil
		}
	}
	return time.Time{}, fmt.Errorf("invalid timer date '%s': expected an ISO-8601 date-time", s)
}

func parseCycle(s string, now time.Time) (schedule, error) {
	if !strings.HasPrefix(s, "R") {
		c, err := parseCron(s)
		if err != nil {
			return schedule{}, err
		}
		due, err := c.next(now)
		if err != nil {
			return schedule{}, err
		}
		return schedule{due: due, repetitions: -1, interval: s}, nil
	}
	parts := splitCycle(s)
	if len(parts) < 2 || len(parts) > 3 || !strings.HasPrefix(parts[0], "R") {
		return schedule{}, fmt.Errorf("invalid timer cycle '%s': expected R[n]/[start/]duration", s)
	}
	reps := -1
	if n := parts[0][1:]; n != "" {
		v, err := strconv.Atoi(n)
		if err != nil || v < 0 {
			return schedule{}, fmt.Errorf("invalid repetitions in timer cycle '%s'", s)
		}
		reps = v - 1
		if reps < 0 {
			reps = 0
		}
	}
	interval := parts[len(parts)-1]
	d, err := parseISODuration(interval)
	if err != nil {
		return schedule{}, err
	}
	due := d.addTo(now)
	if len(parts) == 3 {
		start, err := parseDateTime(parts[1])
		if err != nil {
			return schedule{}, err
		}
		due = start
		if due.Before(now) {
			due = now
		}
	}
	return schedule{due: due, repetitions: reps, interval: interval}, nil
}

// isoDuration is an ISO-8601 duration: calendar parts apply to dates, the rest is exact time.
type isoDuration struct {
	years, months, days int
	exact               time.Duration
	negative            bool
}

func (d isoDuration) addTo(t time.Time) time.Time {
	if d.negative {
		return t.AddDate(-d.years, -d.months, -d.days).Add(-d.exact)
	}
	return t.AddDate(d.years, d.months, d.days).Add(d.exact)
}

func parseISODuration(s string) (isoDuration, error) {
	bad := func() (isoDuration, error) {
		return isoDuration{}, fmt.Errorf("invalid duration '%s': expected ISO-8601 such as PT10S or P1DT2H", s)
	}
	var d isoDuration
	rest := s
	if strings.HasPrefix(rest, "-") {
		d.negative = true
		rest = rest[1:]
	}
	if !strings.HasPrefix(rest, "P") || len(rest) < 2 {
		return bad()
	}
	rest = rest[1:]
	inTime := false
	any := false
	for len(rest) > 0 {
		if rest[0] == 'T' {
			if inTime {
				return bad()
			}
			inTime = true
			rest = rest[1:]
			continue
		}
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.' || rest[i] == ',') {
			i++
		}
		if i == 0 || i == len(rest) {
			return bad()
		}
		num, unit := strings.ReplaceAll(rest[:i], ",", "."), rest[i]
		rest = rest[i+1:]
		any = true
		f, err := strconv.ParseFloat(num, 64)
		if err != nil {
			return bad()
		}
		n := int(f)
		switch {
		case !inTime && unit == 'Y':
			d.years += n
		case !inTime && unit == 'M':
			d.months += n
		case !inTime && unit == 'W':
			d.days += 7 * n
		case !inTime && unit == 'D':
			d.days += n
		case inTime && unit == 'H':
			d.exact += time.Duration(f * float64(time.Hour))
		case inTime && unit == 'M':
			d.exact += time.Duration(f * float64(time.Minute))
		case inTime && unit == 'S':
			d.exact += time.Duration(f * float64(time.Second))
		default:
			return bad()
		}
	}
	if !any {
		return bad()
	}
	return d, nil
}

// splitCycle splits "R[n]/[start/]duration" on the slashes outside a "[Zone/Id]".
func splitCycle(s string) []string {
	var parts []string
	depth, from := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			depth++
		case ']':
			depth--
		case '/':
			if depth == 0 {
				parts = append(parts, s[from:i])
				from = i + 1
			}
		}
	}
	return append(parts, s[from:])
}

// NextTimerDue is when a cycle timer fires next after the one due at `after`: the interval
// added (ISO-8601 repeating interval) or the next matching instant of a cron expression. The
// store may use it to re-arm timer start events.
func NextTimerDue(interval string, after time.Time) (time.Time, error) {
	if isCron(interval) {
		c, err := parseCron(interval)
		if err != nil {
			return time.Time{}, err
		}
		return c.next(after)
	}
	d, err := parseISODuration(interval)
	if err != nil {
		return time.Time{}, err
	}
	return d.addTo(after), nil
}

func isCron(interval string) bool {
	return strings.ContainsRune(strings.TrimSpace(interval), ' ') || strings.HasPrefix(interval, "@")
}
