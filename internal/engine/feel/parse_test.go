package feel

import (
	"testing"
)

func TestParseErrors(t *testing.T) {
	cases := []struct{ src, want string }{
		{`count(x`, `feel: at 7: expected ")" but found end of input in "count(x"`},
		{``, `feel: at 0: expected an expression but found end of input in ""`},
		{`1 +`, `feel: at 3: expected an expression but found end of input in "1 +"`},
		{`a b`, `feel: at 2: expected end of input but found "b" in "a b"`},
		{`if a then b`, `feel: at 11: expected "else" but found end of input in "if a then b"`},
		{`[1, 2`, `feel: at 5: expected "]" but found end of input in "[1, 2"`},
		{`{a 1}`, `feel: at 3: expected ":" but found "1" in "{a 1}"`},
		{`"open`, `feel: at 0: unterminated string in "\"open"`},
		{`"\q"`, `feel: at 1: invalid escape "\q" in "\"\\q\""`},
		{`1 # 2`, `feel: at 2: unexpected character '#' in "1 # 2"`},
		{`for x in xs x`, `feel: at 12: expected "return" but found "x" in "for x in xs x"`},
		{`some x in xs`, `feel: at 12: expected "satisfies" but found end of input in "some x in xs"`},
		{`a.`, `feel: at 2: expected a name after "." but found end of input in "a."`},
		{`then`, `feel: at 0: expected an expression but found "then" in "then"`},
		{`function(x) x`, `feel: at 0: function definitions are not supported in "function(x) x"`},
		{`x between 1`, `feel: at 11: expected "and" but found end of input in "x between 1"`},
		{`(1..`, `feel: at 4: expected an expression but found end of input in "(1.."`},
		{`f(a: 1)`, `feel: at 2: named arguments are not supported in "f(a: 1)"`},
		{`@"nonsense"`, `feel: at 0: feel: "nonsense" is not a time (hh:mm:ss) in "@\"nonsense\""`},
	}
	for _, c := range cases {
		_, err := Parse(c.src)
		if err == nil {
			t.Errorf("Parse(%q) succeeded; want %s", c.src, c.want)
			continue
		}
		if err.Error() != c.want {
			t.Errorf("Parse(%q) error\n got %s\nwant %s", c.src, err, c.want)
		}
	}
}

func TestStringIsSource(t *testing.T) {
	src := `orderSuspended = false and count(readyTasks) > 0`
	e, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	if e.String() != src {
		t.Errorf("String() = %q", e.String())
	}
}

// TestMultiWordNames checks that built-in names with spaces do not swallow ordinary words.
func TestMultiWordNames(t *testing.T) {
	runEvalTable(t, []evalCase{
		{src: `date and time("2024-01-02T10:00:00Z") = now()`, want: `true`},
		{src: `yes and time("10:00:00") = time("10:00:00")`, want: `true`},
		{src: `upper case (s)`, want: `"TEXT"`},
		{src: `{upper: 1}.upper`, want: `1`},
		{src: `string length(s) + 1`, want: `5`},
	})
}

// TestParseNeverPanics parses every prefix of many valid expressions: each either parses or
// returns a *SyntaxError, and never panics.
func TestParseNeverPanics(t *testing.T) {
	sources := []string{
		`orderSuspended = false and count(readyTasks) > 0`,
		`tenantId + ":" + orderId + ":" + currentTaskId`,
		`for x in [1, 2], y in 1..3 return {a: x, "b c": y}`,
		`some x in xs satisfies x > 3 or every y in ys satisfies y in (< 5, ]1..5])`,
		`if date and time("2024-01-02T10:00:00Z") < now() then xs[item > 1][-1] else @"P1Y"`,
		`"esc\"aped\u00e9\U101EF" /* c */ // d`,
		"`odd name`.x[1] between -1 and .5 ** 2",
	}
	for _, src := range sources {
		if _, err := Parse(src); err != nil {
			t.Fatalf("Parse(%q): %v", src, err)
		}
		for i := 0; i < len(src); i++ {
			_, err := Parse(src[:i])
			if err == nil {
				continue
			}
			if _, ok := err.(*SyntaxError); !ok {
				t.Errorf("Parse(%q) error %T %v, want *SyntaxError", src[:i], err, err)
			}
		}
	}
}
