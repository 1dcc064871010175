package store

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/orderfleet/orderfleet/internal/engine/model"
)

// schedule is when a timer fires first and how it repeats. repetitions counts the firings after
// the first (-1: unbounded); interval is the cycle's ISO-8601 duration.
type schedule struct {
	dueAt       time.Time
	repetitions int
	interval    string
}

// parseTimer reads a timer definition's value: a duration (PT10M), a date (RFC 3339), or a
// cycle (R3/PT10S, R/PT1H, R2/2025-01-01T00:00:00Z/PT1H).
func parseTimer(kind model.TimerKind, value string, now time.Time) (schedule, error) {
	value = strings.TrimSpace(value)
	switch kind {
	case model.TimerDate:
		t, err := time.Parse(time.RFC3339Nano, value)
		if err != nil {
			return schedule{}, fmt.Errorf("expected an ISO-8601 date-time, got %q", value)
		}
		return schedule{dueAt: t.UTC()}, nil
	case model.TimerDuration:
		t, err := addISODuration(now, value)
		if err != nil {
			return schedule{}, err
		}
		return schedule{dueAt: t}, nil
	case model.TimerCycle:
		parts := strings.Split(value, "/")
		if len(parts) < 2 || !strings.HasPrefix(parts[0], "R") {
			return schedule{}, fmt.Errorf("expected a cycle such as R3/PT10S, got %q", value)
		}
		reps := -1
		if n := parts[0][1:]; n != "" {
			v, err := strconv.Atoi(n)
			if err != nil || v < 1 {
				return schedule{}, fmt.Errorf("cycle %q: bad repetition count", value)
			}
			reps = v
		}
		interval := parts[len(parts)-1]
		var due time.Time
		if len(parts) == 3 {
			start, err := time.Parse(time.RFC3339Nano, parts[1])
			if err != nil {
				return schedule{}, fmt.Errorf("cycle %q: bad start date", value)
			}
			due = start.UTC()
		} else {
			t, err := addISODuration(now, interval)
			if err != nil {
				return schedule{}, err
			}
			due = t
		}
		if _, err := addISODuration(now, interval); err != nil {
			return schedule{}, err
		}
		rest := -1
		if reps > 0 {
			rest = reps - 1
		}
		return schedule{dueAt: due, repetitions: rest, interval: interval}, nil
	}
	return schedule{}, fmt.Errorf("unknown timer kind %q", kind)
}

// addISODuration adds an ISO-8601 duration (PnYnMnWnDTnHnMnS, fractions of seconds allowed).
func addISODuration(t time.Time, d string) (time.Time, error) {
	bad := func() (time.Time, error) {
		return time.Time{}, fmt.Errorf("expected an ISO-8601 duration such as PT10S, got %q", d)
	}
	s := strings.ToUpper(strings.TrimSpace(d))
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if !strings.HasPrefix(s, "P") || len(s) < 3 && s != "P0D" {
		return bad()
	}
	s = s[1:]
	var years, months, days int
	var dur time.Duration
	inTime := false
	num := ""
	for _, r := range s {
		switch {
		case r == 'T':
			inTime = true
		case r >= '0' && r <= '9' || r == '.':
			num += string(r)
		default:
			if num == "" {
				return bad()
			}
			f, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return bad()
			}
			num = ""
			switch {
			case !inTime && r == 'Y':
				years = int(f)
			case !inTime && r == 'M':
				months = int(f)
			case !inTime && r == 'W':
				days += 7 * int(f)
			case !inTime && r == 'D':
				days += int(f)
			case inTime && r == 'H':
				dur += time.Duration(f * float64(time.Hour))
			case inTime && r == 'M':
				dur += time.Duration(f * float64(time.Minute))
			case inTime && r == 'S':
				dur += time.Duration(f * float64(time.Second))
			default:
				return bad()
			}
		}
	}
	if num != "" {
		return bad()
	}
	if neg {
		return t.AddDate(-years, -months, -days).Add(-dur), nil
	}
	return t.AddDate(years, months, days).Add(dur), nil
}
