package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Policies are written in ISO-8601 durations (PT30S) because that is what the
// seeds, BPMN timers and operators use; code needs time.Duration. Only day
// and time parts are accepted: months and years have no fixed length.

// ParseISODuration parses P[nD][T[nH][nM][nS]] into a time.Duration.
func ParseISODuration(s string) (time.Duration, error) {
	bad := Errorf(EINVALID, "invalid ISO-8601 duration %q (want e.g. PT30S, PT2H, P1DT2H)", s)
	if !strings.HasPrefix(s, "P") || len(s) < 3 {
		return 0, bad
	}
	var total time.Duration
	inTime := false
	num := ""
	for _, r := range s[1:] {
		switch {
		case r >= '0' && r <= '9':
			num += string(r)
		case r == 'T':
			if inTime || num != "" {
				return 0, bad
			}
			inTime = true
		default:
			if num == "" {
				return 0, bad
			}
			n, err := strconv.ParseInt(num, 10, 64)
			if err != nil {
				return 0, bad
			}
			unit, ok := isoUnit(r, inTime)
			if !ok {
				return 0, bad
			}
			total += time.Duration(n) * unit
			num = ""
		}
	}
	if num != "" || strings.HasSuffix(s, "T") {
		return 0, bad
	}
	return total, nil
}

func isoUnit(r rune, inTime bool) (time.Duration, bool) {
	switch {
	case !inTime && r == 'D':
		return 24 * time.Hour, true
	case inTime && r == 'H':
		return time.Hour, true
	case inTime && r == 'M':
		return time.Minute, true
	case inTime && r == 'S':
		return time.Second, true
	}
	return 0, false
}

// FormatISODuration renders whole seconds as an ISO-8601 duration; it is the
// inverse of ParseISODuration for durations it produced.
func FormatISODuration(d time.Duration) string {
	if d <= 0 {
		return "PT0S"
	}
	secs := int64(d / time.Second)
	days, secs := secs/86400, secs%86400
	h, secs := secs/3600, secs%3600
	m, secs := secs/60, secs%60
	var b strings.Builder
	b.WriteString("P")
	if days > 0 {
		fmt.Fprintf(&b, "%dD", days)
	}
	if h > 0 || m > 0 || secs > 0 {
		b.WriteString("T")
		if h > 0 {
			fmt.Fprintf(&b, "%dH", h)
		}
		if m > 0 {
			fmt.Fprintf(&b, "%dM", m)
		}
		if secs > 0 {
			fmt.Fprintf(&b, "%dS", secs)
		}
	}
	return b.String()
}
