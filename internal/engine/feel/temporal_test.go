package feel

import (
	"testing"
	"time"
)

func TestTemporal(t *testing.T) {
	runEvalTable(t, []evalCase{
		{src: `now()`, want: `"2024-01-02T10:00:00Z"`},
		{src: `today()`, want: `"2024-01-02"`},
		{src: `date("2024-01-02")`, want: `"2024-01-02"`},
		{src: `date(2024, 2, 29)`, want: `"2024-02-29"`},
		{src: `date(2023, 2, 29)`, wantErr: `is not a date`},
		{src: `date("not a date")`, want: `null`},
		{src: `date(date and time("2024-01-02T23:30:00"))`, want: `"2024-01-02"`},
		{src: `time("10:30:00")`, want: `"10:30:00"`},
		{src: `time("10:30:00+01:00")`, want: `"10:30:00+01:00"`},
		{src: `time(10, 30, 5)`, want: `"10:30:05"`},
		{src: `date and time("2024-01-02T10:00:00Z")`, want: `"2024-01-02T10:00:00Z"`},
		{src: `date and time("2024-01-02T10:00:00.250+02:00")`, want: `"2024-01-02T10:00:00.25+02:00"`},
		{src: `date and time("2024-01-02T10:00:00@Europe/Berlin")`, want: `"2024-01-02T10:00:00@Europe/Berlin"`},
		{src: `date and time("2024-01-02T10:00:00")`, want: `"2024-01-02T10:00:00"`},
		{src: `date and time(date("2024-01-02"), time("10:00:00Z"))`, want: `"2024-01-02T10:00:00Z"`},
		{src: `date and time("garbage")`, want: `null`},
		{src: `duration("PT10M")`, want: `"PT10M"`},
		{src: `duration("P3D")`, want: `"P3D"`},
		{src: `duration("P1DT36H")`, want: `"P2DT12H"`},
		{src: `duration("P1Y2M")`, want: `"P1Y2M"`},
		{src: `duration("P14M")`, want: `"P1Y2M"`},
		{src: `duration("-PT5S")`, want: `"-PT5S"`},
		{src: `duration("PT0.5S")`, want: `"PT0.5S"`},
		{src: `duration("ten minutes")`, want: `null`},
		{src: `duration(readyTask.timeout)`, want: `"PT10M"`},
		{src: `now() + duration("PT1H")`, want: `"2024-01-02T11:00:00Z"`},
		{src: `now() - duration("P1D")`, want: `"2024-01-01T10:00:00Z"`},
		{src: `now() + duration(readyTask.timeout)`, want: `"2024-01-02T10:10:00Z"`},
		{src: `date and time("2024-01-31T10:00:00Z") + duration("P1M")`, want: `"2024-02-29T10:00:00Z"`},
		{src: `date and time("2024-01-02T12:00:00Z") - date and time("2024-01-02T10:00:00Z")`, want: `"PT2H"`},
		{src: `date and time("2024-01-02T12:00:00+02:00") = date and time("2024-01-02T10:00:00Z")`, want: `true`},
		{src: `date and time("2024-01-02T10:00:00Z") < now() + duration("PT1S")`, want: `true`},
		{src: `date and time("2024-01-02T10:00:00") < now()`, want: `null`},
		{src: `date("2024-03-01") - date("2024-02-01")`, want: `"P29D"`},
		{src: `date("2024-01-31") + duration("P1M")`, want: `"2024-02-29"`},
		{src: `date("2024-01-01") + duration("P2D")`, want: `"2024-01-03"`},
		{src: `date("2024-01-01") < date("2024-01-02")`, want: `true`},
		{src: `time("10:00:00") + duration("PT15H")`, want: `"01:00:00"`},
		{src: `time("12:00:00") - time("10:30:00")`, want: `"PT1H30M"`},
		{src: `duration("PT1H") + duration("PT30M")`, want: `"PT1H30M"`},
		{src: `duration("PT1H") * 2`, want: `"PT2H"`},
		{src: `2 * duration("PT1H")`, want: `"PT2H"`},
		{src: `duration("PT1H") / 4`, want: `"PT15M"`},
		{src: `duration("PT1H") / duration("PT15M")`, want: `4`},
		{src: `duration("P1Y") + duration("P2M")`, want: `"P1Y2M"`},
		{src: `duration("PT1H") > duration("PT59M")`, want: `true`},
		{src: `duration("P1Y") > duration("PT1H")`, want: `null`},
		{src: `duration("PT1H") + duration("P1Y")`, want: `null`},
		{src: `date("2024-01-02").year`, want: `2024`},
		{src: `date("2024-01-02").weekday`, want: `2`},
		{src: `now().hour`, want: `10`},
		{src: `duration("P2DT3H").days`, want: `2`},
		{src: `duration("P2DT3H").hours`, want: `3`},
		{src: `duration("P1Y2M").months`, want: `2`},
		{src: `day of week(date("2024-01-02"))`, want: `"Tuesday"`},
		{src: `month of year(date("2024-01-02"))`, want: `"January"`},
		{src: `last day of month(date("2024-02-10"))`, want: `29`},
		{src: `years and months duration(date("2020-01-15"), date("2021-03-14"))`, want: `"P1Y1M"`},
		{src: `@"2024-01-02T10:00:00Z" = now()`, want: `true`},
		{src: `date("2024-01-02") in [date("2024-01-01")..date("2024-01-31")]`, want: `true`},
	})
}

func TestParseDuration(t *testing.T) {
	cases := []struct {
		in   string
		want any
	}{
		{"PT10M", DaysDuration(10 * time.Minute)},
		{"P3D", DaysDuration(72 * time.Hour)},
		{"P1W", DaysDuration(7 * 24 * time.Hour)},
		{"P1Y2M", YearsMonthsDuration(14)},
		{"-PT5S", DaysDuration(-5 * time.Second)},
		{"PT1.5S", DaysDuration(1500 * time.Millisecond)},
	}
	for _, c := range cases {
		got, err := ParseDuration(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseDuration(%q) = %#v, %v; want %#v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "P", "PT", "10M", "P1Y2DT1H", "PT1H2", "P-1D"} {
		if got, err := ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) = %#v; want an error", bad, got)
		}
	}
}

func TestDurationOf(t *testing.T) {
	cases := []struct {
		in     any
		months int
		d      time.Duration
		ok     bool
	}{
		{"PT10M", 0, 10 * time.Minute, true},
		{"P1Y2DT1H", 12, 49 * time.Hour, true},
		{DaysDuration(time.Hour), 0, time.Hour, true},
		{YearsMonthsDuration(3), 3, 0, true},
		{"soon", 0, 0, false},
		{NumberFromInt(5), 0, 0, false},
		{nil, 0, 0, false},
	}
	for _, c := range cases {
		m, d, ok := DurationOf(c.in)
		if m != c.months || d != c.d || ok != c.ok {
			t.Errorf("DurationOf(%#v) = %d, %v, %v; want %d, %v, %v", c.in, m, d, ok, c.months, c.d, c.ok)
		}
	}
}

func TestDateTimeOf(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		in   any
		want time.Time
		ok   bool
	}{
		{"2024-01-02T10:00:00Z", time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC), true},
		{"2024-01-02T11:00:00+01:00", time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC), true},
		{"2024-01-02T11:00:00@Europe/Berlin", time.Date(2024, 1, 2, 11, 0, 0, 0, berlin), true},
		{"2024-07-02T11:00:00+02:00[Europe/Berlin]", time.Date(2024, 7, 2, 9, 0, 0, 0, time.UTC), true},
		{"2024-01-02", time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), true},
		{DateTime{T: time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC)}, time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC), true},
		{Date{Year: 2024, Month: 1, Day: 2}, time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), true},
		{"tomorrow", time.Time{}, false},
		{NumberFromInt(1), time.Time{}, false},
	}
	for _, c := range cases {
		got, ok := DateTimeOf(c.in)
		if ok != c.ok || !got.Equal(c.want) {
			t.Errorf("DateTimeOf(%#v) = %v, %v; want %v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
