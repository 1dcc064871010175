package feel

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // zone ids such as "@Europe/Berlin" resolve without the host's zoneinfo
)

// Date is a calendar date without a time or zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf is the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

func (d Date) t() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// String is ISO-8601: "2024-01-02".
func (d Date) String() string { return d.t().Format("2006-01-02") }

// Time is a time of day, with an offset from UTC when HasOffset.
type Time struct {
	Hour, Minute, Second, Nanosecond int
	HasOffset                        bool
	Offset                           int // seconds east of UTC
}

func (t Time) sinceMidnight() time.Duration {
	return time.Duration(t.Hour)*time.Hour + time.Duration(t.Minute)*time.Minute +
		time.Duration(t.Second)*time.Second + time.Duration(t.Nanosecond)
}

// instant orders times: the time of day in UTC when there is an offset.
func (t Time) instant() int64 {
	return int64(t.sinceMidnight() - time.Duration(t.Offset)*time.Second)
}

// String is ISO-8601: "10:00:00", "10:00:00Z", "10:00:00+01:00".
func (t Time) String() string {
	s := fmt.Sprintf("%02d:%02d:%02d", t.Hour, t.Minute, t.Second) + fraction(t.Nanosecond)
	if t.HasOffset {
		s += offsetText(t.Offset)
	}
	return s
}

func fraction(ns int) string {
	if ns == 0 {
		return ""
	}
	return strings.TrimRight(fmt.Sprintf(".%09d", ns), "0")
}

func offsetText(sec int) string {
	if sec == 0 {
		return "Z"
	}
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	return fmt.Sprintf("%c%02d:%02d", sign, sec/3600, sec/60%60)
}

// DateTime is a date and time: local (no offset, Local true, T in UTC holding the wall clock),
// with an offset, or with a zone id (ZoneID set, T in that zone).
type DateTime struct {
	T      time.Time
	Local  bool
	ZoneID string
}

// String is ISO-8601 as Zeebe writes it: "2024-01-02T10:00:00Z", "2024-01-02T10:00:00+01:00",
// "2024-01-02T10:00:00@Europe/Berlin", or without an offset for a local date-time.
func (d DateTime) String() string {
	s := d.T.Format("2006-01-02T15:04:05") + fraction(d.T.Nanosecond())
	switch {
	case d.Local:
		return s
	case d.ZoneID != "":
		return s + "@" + d.ZoneID
	}
	_, off := d.T.Zone()
	return s + offsetText(off)
}

// DaysDuration is a days-and-time duration ("PT1H", "P2D").
type DaysDuration time.Duration

// String is ISO-8601: "P1DT2H30M", "PT0.5S", "-PT5S", "PT0S".
func (d DaysDuration) String() string {
	v := time.Duration(d)
	if v == 0 {
		return "PT0S"
	}
	var b strings.Builder
	if v < 0 {
		b.WriteByte('-')
		v = -v
	}
	b.WriteByte('P')
	days := v / (24 * time.Hour)
	v -= days * 24 * time.Hour
	if days > 0 {
		fmt.Fprintf(&b, "%dD", days)
	}
	if v > 0 {
		b.WriteByte('T')
		h, m := v/time.Hour, v/time.Minute%60
		s, ns := v/time.Second%60, int(v%time.Second)
		if h > 0 {
			fmt.Fprintf(&b, "%dH", h)
		}
		if m > 0 {
			fmt.Fprintf(&b, "%dM", m)
		}
		if s > 0 || ns > 0 {
			fmt.Fprintf(&b, "%d%sS", s, fraction(ns))
		}
	}
	return b.String()
}

// YearsMonthsDuration is a years-and-months duration in months ("P1Y2M" is 14).
type YearsMonthsDuration int

// String is ISO-8601: "P1Y2M", "P3M", "-P1Y", "P0M".
func (d YearsMonthsDuration) String() string {
	m := int(d)
	if m == 0 {
		return "P0M"
	}
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	s := sign + "P"
	if m/12 > 0 {
		s += strconv.Itoa(m/12) + "Y"
	}
	if m%12 > 0 {
		s += strconv.Itoa(m%12) + "M"
	}
	return s
}

var durationPattern = regexp.MustCompile(`^([-+])?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$`)

// parseDurationParts reads ISO-8601 duration text into months and a time duration.
func parseDurationParts(s string) (months int, d time.Duration, hasMonths, hasTime bool, err error) {
	m := durationPattern.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil || s == "P" || strings.HasSuffix(s, "T") || strings.TrimLeft(s, "+-") == "P" {
		return 0, 0, false, false, fmt.Errorf("feel: %q is not an ISO-8601 duration", s)
	}
	num := func(t string) int64 {
		v, _ := strconv.ParseInt(t, 10, 64)
		return v
	}
	months = int(num(m[2])*12 + num(m[3]))
	hasMonths = m[2] != "" || m[3] != ""
	d = time.Duration(num(m[4])*7+num(m[5]))*24*time.Hour +
		time.Duration(num(m[6]))*time.Hour + time.Duration(num(m[7]))*time.Minute
	if m[8] != "" {
		sec, err := NumberFromString(strings.Replace(m[8], ",", ".", 1))
		if err != nil {
			return 0, 0, false, false, fmt.Errorf("feel: %q is not an ISO-8601 duration", s)
		}
		ns, _ := sec.Mul(NumberFromInt(int64(time.Second))).round(0, roundDown).Int64()
		d += time.Duration(ns)
	}
	hasTime = m[4] != "" || m[5] != "" || m[6] != "" || m[7] != "" || m[8] != ""
	if m[1] == "-" {
		months, d = -months, -d
	}
	return months, d, hasMonths, hasTime, nil
}

// ParseDuration reads ISO-8601 duration text ("PT10M", "P3D", "P1Y2M", "-PT5S") as a
// DaysDuration or a YearsMonthsDuration; text mixing both kinds is an error.
func ParseDuration(s string) (any, error) {
	months, d, hasMonths, hasTime, err := parseDurationParts(s)
	if err != nil {
		return nil, err
	}
	if hasMonths && hasTime {
		return nil, fmt.Errorf("feel: %q mixes years/months with days/time", s)
	}
	if hasMonths {
		return YearsMonthsDuration(months), nil
	}
	return DaysDuration(d), nil
}

// DurationOf reads a FEEL duration value or ISO-8601 duration text (which may mix years/months
// with days/time, as a timer may).
func DurationOf(v any) (months int, d time.Duration, ok bool) {
	switch x := v.(type) {
	case DaysDuration:
		return 0, time.Duration(x), true
	case YearsMonthsDuration:
		return int(x), 0, true
	case string:
		months, d, _, _, err := parseDurationParts(x)
		return months, d, err == nil
	}
	return 0, 0, false
}

// DateTimeOf reads a DateTime or Date value (a date is its midnight in UTC, a local date-time
// is read in UTC) or ISO-8601 text ("2024-01-02T10:00:00Z", with an offset or "@Zone/Id").
func DateTimeOf(v any) (time.Time, bool) {
	switch x := v.(type) {
	case DateTime:
		return x.T, true
	case Date:
		return x.t(), true
	case string:
		if dt, err := parseDateTime(x); err == nil {
			return dt.T, true
		}
		if d, err := parseDate(x); err == nil {
			return d.t(), true
		}
	}
	return time.Time{}, false
}

func parseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, fmt.Errorf("feel: %q is not a date (yyyy-mm-dd)", s)
	}
	return DateOf(t), nil
}

// parseDateTime reads "2024-01-02T10:00:00" with an optional fraction and "Z", an offset,
// "@Zone/Id" or "+01:00[Zone/Id]".
func parseDateTime(s string) (DateTime, error) {
	text, zone := s, ""
	if i := strings.IndexByte(text, '@'); i >= 0 {
		text, zone = text[:i], text[i+1:]
	} else if i := strings.IndexByte(text, '['); i >= 0 && strings.HasSuffix(text, "]") {
		text, zone = text[:i], text[i+1:len(text)-1]
	}
	bad := fmt.Errorf("feel: %q is not a date and time (yyyy-mm-ddThh:mm:ss)", s)
	if zone != "" {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			return DateTime{}, fmt.Errorf("feel: %q: unknown zone %q", s, zone)
		}
		t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", text, loc)
		if err != nil {
			t, err = time.Parse(time.RFC3339Nano, text)
			if err != nil {
				return DateTime{}, bad
			}
			t = t.In(loc)
		}
		return DateTime{T: t, ZoneID: zone}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, text); err == nil {
			return DateTime{T: t}, nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04"} {
		if t, err := time.Parse(layout, text); err == nil {
			return DateTime{T: t, Local: true}, nil
		}
	}
	return DateTime{}, bad
}

// parseTime reads "10:00:00" with an optional fraction and "Z", an offset or "@Zone/Id".
func parseTime(s string) (Time, error) {
	text := s
	bad := fmt.Errorf("feel: %q is not a time (hh:mm:ss)", s)
	if i := strings.IndexByte(text, '@'); i >= 0 {
		loc, err := time.LoadLocation(text[i+1:])
		if err != nil {
			return Time{}, bad
		}
		t, err := parseTime(text[:i])
		if err != nil || t.HasOffset {
			return Time{}, bad
		}
		_, off := time.Now().In(loc).Zone()
		t.HasOffset, t.Offset = true, off
		return t, nil
	}
	for _, layout := range []string{"15:04:05.999999999Z07:00", "15:04Z07:00"} {
		if t, err := time.Parse(layout, text); err == nil {
			_, off := t.Zone()
			return Time{Hour: t.Hour(), Minute: t.Minute(), Second: t.Second(), Nanosecond: t.Nanosecond(), HasOffset: true, Offset: off}, nil
		}
	}
	for _, layout := range []string{"15:04:05.999999999", "15:04"} {
		if t, err := time.Parse(layout, text); err == nil {
			return Time{Hour: t.Hour(), Minute: t.Minute(), Second: t.Second(), Nanosecond: t.Nanosecond()}, nil
		}
	}
	return Time{}, bad
}

// parseTemporalLiteral reads @"..." by its shape: a duration, a date-time, a date or a time.
func parseTemporalLiteral(s string) (any, error) {
	switch {
	case strings.HasPrefix(strings.TrimLeft(s, "+-"), "P"):
		return ParseDuration(s)
	case strings.Contains(s, "T"):
		return parseDateTime(s)
	case strings.Count(s, "-") >= 2 && !strings.Contains(s, ":"):
		return parseDate(s)
	}
	return parseTime(s)
}

// addMonths moves a date by months, clamping the day to the month's last day (Jan 31 + 1 month
// is Feb 28 or 29), as FEEL does.
func addMonths(t time.Time, months int) time.Time {
	y, m, d := t.Date()
	total := int(m) - 1 + months
	y += total / 12
	mm := total % 12
	if mm < 0 {
		mm += 12
		y--
	}
	last := time.Date(y, time.Month(mm+2), 0, 0, 0, 0, 0, time.UTC).Day()
	d = min(d, last)
	return time.Date(y, time.Month(mm+1), d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}

// temporalArithmetic is + - * / on dates, times, date-times and durations; null when FEEL
// defines no result for the two kinds.
func temporalArithmetic(op byte, l, r any) any {
	switch x := l.(type) {
	case DateTime:
		switch y := r.(type) {
		case DaysDuration:
			switch op {
			case '+':
				return DateTime{T: x.T.Add(time.Duration(y)), Local: x.Local, ZoneID: x.ZoneID}
			case '-':
				return DateTime{T: x.T.Add(-time.Duration(y)), Local: x.Local, ZoneID: x.ZoneID}
			}
		case YearsMonthsDuration:
			switch op {
			case '+':
				return DateTime{T: addMonths(x.T, int(y)), Local: x.Local, ZoneID: x.ZoneID}
			case '-':
				return DateTime{T: addMonths(x.T, -int(y)), Local: x.Local, ZoneID: x.ZoneID}
			}
		case DateTime:
			if op == '-' && x.Local == y.Local {
				return DaysDuration(x.T.Sub(y.T))
			}
		case Date:
			if op == '-' {
				return temporalArithmetic(op, x, DateTime{T: y.t(), Local: x.Local})
			}
		}
	case Date:
		switch y := r.(type) {
		case DaysDuration, YearsMonthsDuration:
			if dt, ok := temporalArithmetic(op, DateTime{T: x.t(), Local: true}, y).(DateTime); ok {
				return DateOf(dt.T)
			}
		case Date:
			if op == '-' {
				return DaysDuration(x.t().Sub(y.t()))
			}
		case DateTime:
			if op == '-' {
				return temporalArithmetic(op, DateTime{T: x.t(), Local: y.Local}, y)
			}
		}
	case Time:
		switch y := r.(type) {
		case DaysDuration:
			d := time.Duration(y) % (24 * time.Hour)
			if op == '-' {
				d = -d
			} else if op != '+' {
				return nil
			}
			v := (x.sinceMidnight() + d + 24*time.Hour) % (24 * time.Hour)
			return Time{Hour: int(v / time.Hour), Minute: int(v / time.Minute % 60), Second: int(v / time.Second % 60),
				Nanosecond: int(v % time.Second), HasOffset: x.HasOffset, Offset: x.Offset}
		case Time:
			if op == '-' && x.HasOffset == y.HasOffset {
				return DaysDuration(x.instant() - y.instant())
			}
		}
	case DaysDuration:
		switch y := r.(type) {
		case DaysDuration:
			return sameKindDurationArithmetic(op, x, y)
		case DateTime, Date, Time:
			if op == '+' {
				return temporalArithmetic(op, r, l)
			}
		case Number:
			if op == '*' || op == '/' {
				if d, ok := durationTimes(time.Duration(x), y, op == '/'); ok {
					return DaysDuration(d)
				}
			}
		}
	case YearsMonthsDuration:
		switch y := r.(type) {
		case YearsMonthsDuration:
			return sameKindDurationArithmetic(op, x, y)
		case DateTime, Date:
			if op == '+' {
				return temporalArithmetic(op, r, l)
			}
		case Number:
			if op == '*' || op == '/' {
				var v Number
				if op == '*' {
					v = NumberFromInt(int64(x)).Mul(y)
				} else if q, ok := NumberFromInt(int64(x)).Div(y); ok {
					v = q
				} else {
					return nil
				}
				if m, ok := v.round(0, roundDown).Int64(); ok {
					return YearsMonthsDuration(m)
				}
			}
		}
	}
	return nil
}

// temporalProperty is date.year, dt.hour, duration.days and the like; null when unknown.
func temporalProperty(v any, key string) any {
	switch x := v.(type) {
	case Date:
		return dateProperty(x.t(), key)
	case DateTime:
		if p := dateProperty(x.T, key); p != nil {
			return p
		}
		switch key {
		case "hour":
			return NumberFromInt(int64(x.T.Hour()))
		case "minute":
			return NumberFromInt(int64(x.T.Minute()))
		case "second":
			return NumberFromInt(int64(x.T.Second()))
		case "time offset":
			if x.Local {
				return nil
			}
			_, off := x.T.Zone()
			return DaysDuration(time.Duration(off) * time.Second)
		case "timezone":
			if x.ZoneID != "" {
				return x.ZoneID
			}
			return nil
		}
	case Time:
		switch key {
		case "hour":
			return NumberFromInt(int64(x.Hour))
		case "minute":
			return NumberFromInt(int64(x.Minute))
		case "second":
			return NumberFromInt(int64(x.Second))
		case "time offset":
			if x.HasOffset {
				return DaysDuration(time.Duration(x.Offset) * time.Second)
			}
		}
	case DaysDuration:
		d := time.Duration(x)
		switch key {
		case "days":
			return NumberFromInt(int64(d / (24 * time.Hour)))
		case "hours":
			return NumberFromInt(int64(d / time.Hour % 24))
		case "minutes":
			return NumberFromInt(int64(d / time.Minute % 60))
		case "seconds":
			return NumberFromInt(int64(d / time.Second % 60))
		}
	case YearsMonthsDuration:
		switch key {
		case "years":
			return NumberFromInt(int64(x) / 12)
		case "months":
			return NumberFromInt(int64(x) % 12)
		}
	}
	return nil
}

func dateProperty(t time.Time, key string) any {
	switch key {
	case "year":
		return NumberFromInt(int64(t.Year()))
	case "month":
		return NumberFromInt(int64(t.Month()))
	case "day":
		return NumberFromInt(int64(t.Day()))
	case "weekday":
		wd := int64(t.Weekday())
		if wd == 0 {
			wd = 7
		}
		return NumberFromInt(wd)
	}
	return nil
}

// sameKindDurationArithmetic is x + y or x - y (a duration of the same kind) or x / y (a number);
// null for any other operator or a zero divisor.
func sameKindDurationArithmetic[D DaysDuration | YearsMonthsDuration](op byte, x, y D) any {
	switch op {
	case '+':
		return x + y
	case '-':
		return x - y
	case '/':
		if y == 0 {
			return nil
		}
		q, _ := NumberFromInt(int64(x)).Div(NumberFromInt(int64(y)))
		return q
	}
	return nil
}
