package feel

import (
	"testing"
	"time"
)

func TestJSONRoundTrip(t *testing.T) {
	cases := []struct{ in, want string }{
		{`2251799813685249`, `2251799813685249`},
		{`9223372036854775807`, `9223372036854775807`},
		{`123456789012345678901234567890`, `123456789012345678901234567890`},
		{`0.1`, `0.1`},
		{`1.50`, `1.5`},
		{`1e3`, `1000`},
		{`-2.5E-3`, `-0.0025`},
		{`{"key":2251799813685249,"list":[1,"a",null,true,{"x":0.2}]}`, `{"key":2251799813685249,"list":[1,"a",null,true,{"x":0.2}]}`},
		{`{"b":1,"a":2}`, `{"a":2,"b":1}`},
		{`"<é\n>"`, `"<é\n>"`},
		{`null`, `null`},
	}
	for _, c := range cases {
		v, err := FromJSON([]byte(c.in))
		if err != nil {
			t.Fatalf("FromJSON(%s): %v", c.in, err)
		}
		out, err := ToJSON(v)
		if err != nil {
			t.Fatalf("ToJSON(%#v): %v", v, err)
		}
		if string(out) != c.want {
			t.Errorf("round trip of %s = %s, want %s", c.in, out, c.want)
		}
	}
}

func TestJSONKeyStaysExact(t *testing.T) {
	v, err := FromJSON([]byte(`{"key": 2251799813685249}`))
	if err != nil {
		t.Fatal(err)
	}
	n, ok := v.(map[string]any)["key"].(Number)
	if !ok {
		t.Fatalf("key decoded as %T, want Number", v.(map[string]any)["key"])
	}
	if i, ok := n.Int64(); !ok || i != 2251799813685249 {
		t.Fatalf("Int64() = %d, %v; want 2251799813685249, true", i, ok)
	}
}

func TestJSONSumOfDecimals(t *testing.T) {
	v, err := FromJSON([]byte(`{"a": 0.1, "b": 0.2}`))
	if err != nil {
		t.Fatal(err)
	}
	e, err := Parse(`a + b`)
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.Eval(testContext(v.(map[string]any)))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := ToJSON(r)
	if string(out) != `0.3` {
		t.Fatalf("a + b = %s, want 0.3", out)
	}
}

func TestToJSONTemporal(t *testing.T) {
	cases := []struct {
		in   any
		want string
	}{
		{DateTime{T: time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC)}, `"2024-01-02T10:00:00Z"`},
		{DaysDuration(time.Hour), `"PT1H"`},
		{YearsMonthsDuration(14), `"P1Y2M"`},
		{Date{Year: 2024, Month: 1, Day: 2}, `"2024-01-02"`},
		{Time{Hour: 9, Minute: 5}, `"09:05:00"`},
		{[]any{int64(3), 1.5, 7}, `[3,1.5,7]`},
	}
	for _, c := range cases {
		out, err := ToJSON(c.in)
		if err != nil || string(out) != c.want {
			t.Errorf("ToJSON(%#v) = %s, %v; want %s", c.in, out, err, c.want)
		}
	}
	if _, err := ToJSON(rangeValue{}); err == nil {
		t.Error("ToJSON(range) succeeded; want an error")
	}
	if _, err := FromJSON([]byte(`{"a":`)); err == nil {
		t.Error("FromJSON of broken JSON succeeded; want an error")
	}
}

func TestNumberAPI(t *testing.T) {
	n, err := NumberFromString("2251799813685249")
	if err != nil {
		t.Fatal(err)
	}
	if n != NumberFromInt(2251799813685249) {
		t.Errorf("parsed %v != NumberFromInt", n)
	}
	if i, ok := NumberFromInt(-7).Int64(); !ok || i != -7 {
		t.Errorf("Int64() = %d, %v", i, ok)
	}
	half, _ := NumberFromString("0.5")
	if _, ok := half.Int64(); ok {
		t.Error("0.5.Int64() reported ok")
	}
	huge, _ := NumberFromString("92233720368547758080")
	if _, ok := huge.Int64(); ok {
		t.Error("a number beyond int64 reported ok")
	}
	if huge.String() != "92233720368547758080" {
		t.Errorf("String() = %s", huge.String())
	}
	if f := half.Float64(); f != 0.5 {
		t.Errorf("Float64() = %v", f)
	}
	cases := map[string]string{"3.000": "3", "-0.010": "-0.01", "0": "0", "-0": "0", "100": "100", "0.000001": "0.000001"}
	for in, want := range cases {
		v, err := NumberFromString(in)
		if err != nil || v.String() != want {
			t.Errorf("NumberFromString(%q).String() = %q, %v; want %q", in, v.String(), err, want)
		}
	}
	for _, bad := range []string{"", "-", "1.2.3", "abc", "1e", "."} {
		if _, err := NumberFromString(bad); err == nil {
			t.Errorf("NumberFromString(%q) succeeded", bad)
		}
	}
}

func TestNumberArithmeticEdges(t *testing.T) {
	num := func(s string) Number {
		n, err := NumberFromString(s)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	cases := []struct {
		name string
		got  Number
		want string
	}{
		{"sum across scales", num("1.25").Add(num("2")), "3.25"},
		{"int64 overflow on add", num("9223372036854775807").Add(num("9223372036854775807")), "18446744073709551614"},
		{"int64 overflow on mul", num("4294967296").Mul(num("4294967296")), "18446744073709551616"},
		{"min int64 negated", num("-9223372036854775808").Neg(), "9223372036854775808"},
		{"big back to small", num("18446744073709551616").Sub(num("18446744073709551615")), "1"},
		{"tiny fractions", num("0.000000000000000000001").Mul(num("1000")), "0.000000000000000001"},
		{"negative fraction", num("-0.5").Add(num("0.25")), "-0.25"},
	}
	for _, c := range cases {
		if c.got.String() != c.want {
			t.Errorf("%s: %s, want %s", c.name, c.got, c.want)
		}
	}
	div := []struct{ a, b, want string }{
		{"1", "8", "0.125"},
		{"10", "3", "3.333333333333333333333333333333333"},
		{"-1", "3", "-0.3333333333333333333333333333333333"},
		{"1", "-3", "-0.3333333333333333333333333333333333"},
		{"2251799813685249", "1", "2251799813685249"},
		{"1e40", "3", "3333333333333333333333333333333333333333"},
		{"0", "7", "0"},
	}
	for _, c := range div {
		q, ok := num(c.a).Div(num(c.b))
		if !ok || q.String() != c.want {
			t.Errorf("%s / %s = %s, %v; want %s", c.a, c.b, q, ok, c.want)
		}
	}
	if _, ok := num("1").Div(num("0")); ok {
		t.Error("1 / 0 reported ok")
	}
	if num("1.0").Cmp(num("1")) != 0 || num("1.01").Cmp(num("1.1")) != -1 || num("-2").Cmp(num("-10")) != 1 {
		t.Error("Cmp across scales and signs is wrong")
	}
	for _, hostile := range []string{"1e999999999", "1e-999999999"} {
		if _, err := NumberFromString(hostile); err == nil {
			t.Errorf("NumberFromString(%q) accepted a number out of range", hostile)
		}
	}
}
