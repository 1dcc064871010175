package feel

import (
	"strings"
	"testing"
	"time"
)

// testVars are the variables every table sees, as FromJSON would build them.
func testVars(t *testing.T) map[string]any {
	t.Helper()
	v, err := FromJSON([]byte(`{
		"a": 1, "b": 2, "s": "text", "yes": true, "no": false, "nothing": null,
		"big": 2251799813685249,
		"order": {"id": "o-1", "total": 12.5, "customer": {"name": "Ada", "tier": "gold"}},
		"xs": [1, 2, 3, 4],
		"names": ["x", "y"],
		"items": [{"sku": "A", "qty": 2}, {"sku": "B", "qty": 5}, {"sku": "C", "qty": 1}],
		"tenantId": "t1", "orderId": "o-42", "currentTaskId": "task-7",
		"orderSuspended": false, "readyTasks": [{"taskId": "task-7"}],
		"readyTask": {"taskId": "task-7", "mode": "AUTOMATED_ASYNC", "timeout": "PT10M", "resultMessage": "result"}
	}`))
	if err != nil {
		t.Fatal(err)
	}
	return v.(map[string]any)
}

var testNow = time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC)

func testContext(vars map[string]any) Context {
	return Context{Lookup: func(name string) (any, bool) {
		v, ok := vars[name]
		return v, ok
	}, Now: testNow}
}

// evalCase is one expression and its result written as JSON (ToJSON of the value), or the
// text an error must contain.
type evalCase struct {
	src     string
	want    string
	wantErr string
}

func runEvalTable(t *testing.T, cases []evalCase) {
	t.Helper()
	vars := testVars(t)
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			e, err := Parse(c.src)
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.src, err)
			}
			v, err := e.Eval(testContext(vars))
			if c.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("Eval(%q) = %v, %v; want an error containing %q", c.src, v, err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Eval(%q): %v", c.src, err)
			}
			got, err := ToJSON(v)
			if err != nil {
				t.Fatalf("ToJSON(%#v): %v", v, err)
			}
			if string(got) != c.want {
				t.Errorf("Eval(%q) = %s, want %s", c.src, got, c.want)
			}
		})
	}
}

func TestLiterals(t *testing.T) {
	runEvalTable(t, []evalCase{
		{src: `1`, want: `1`},
		{src: `-12.50`, want: `-12.5`},
		{src: `.5`, want: `0.5`},
		{src: `"hello"`, want: `"hello"`},
		{src: `"a\"b\\c\nd\u00e9"`, want: `"a\"b\\c\ndé"`},
		{src: `"<tag>"`, want: `"<tag>"`},
		{src: `true`, want: `true`},
		{src: `false`, want: `false`},
		{src: `null`, want: `null`},
		{src: `[1, "two", null, [3]]`, want: `[1,"two",null,[3]]`},
		{src: `[]`, want: `[]`},
		{src: `{a: 1, "b c": 2}`, want: `{"a":1,"b c":2}`},
		{src: `{}`, want: `{}`},
		{src: `{a: 1, b: a + 1}`, want: `{"a":1,"b":2}`},
		{src: `{outer: {inner: true}}.outer.inner`, want: `true`},
		{src: `@"2024-01-02"`, want: `"2024-01-02"`},
		{src: `@"PT1H"`, want: `"PT1H"`},
		{src: `// a comment` + "\n" + `1 /* inline */ + 1`, want: `2`},
	})
}

func TestPaths(t *testing.T) {
	runEvalTable(t, []evalCase{
		{src: `a`, want: `1`},
		{src: `order.id`, want: `"o-1"`},
		{src: `order.customer.name`, want: `"Ada"`},
		{src: `order.missing`, want: `null`},
		{src: `order.missing.deeper`, want: `null`},
		{src: `missing`, want: `null`},
		{src: `missing.a.b.c`, want: `null`},
		{src: `s.length`, want: `null`},
		{src: `items.sku`, want: `["A","B","C"]`},
		{src: `readyTask.taskId`, want: `"task-7"`},
		{src: `readyTask.timeout`, want: `"PT10M"`},
		{src: `nothing`, want: `null`},
		{src: "`a`", want: `1`},
	})
}

func TestComparisons(t *testing.T) {
	runEvalTable(t, []evalCase{
		{src: `1 = 1`, want: `true`},
		{src: `1 = 1.0`, want: `true`},
		{src: `1 != 2`, want: `true`},
		{src: `1 < 2`, want: `true`},
		{src: `2 <= 2`, want: `true`},
		{src: `3 > 2`, want: `true`},
		{src: `2 >= 3`, want: `false`},
		{src: `"a" < "b"`, want: `true`},
		{src: `"a" = "a"`, want: `true`},
		{src: `"1" = 1`, want: `null`},
		{src: `"a" < 1`, want: `null`},
		{src: `null = null`, want: `true`},
		{src: `missing = null`, want: `true`},
		{src: `a = null`, want: `false`},
		{src: `null != 1`, want: `true`},
		{src: `null < 1`, want: `null`},
		{src: `true = true`, want: `true`},
		{src: `true < false`, want: `null`},
		{src: `[1, 2] = [1, 2]`, want: `true`},
		{src: `[1, 2] = [2, 1]`, want: `false`},
		{src: `{a: 1} = {a: 1}`, want: `true`},
		{src: `{a: 1} = {a: 2}`, want: `false`},
		{src: `big = 2251799813685249`, want: `true`},
		{src: `big = 2251799813685248`, want: `false`},
		{src: `readyTask.mode = "AUTOMATED_ASYNC"`, want: `true`},
		{src: `readyTask.mode = "MANUAL"`, want: `false`},
	})
}

func TestBooleanLogic(t *testing.T) {
	runEvalTable(t, []evalCase{
		{src: `true and true`, want: `true`},
		{src: `true and false`, want: `false`},
		{src: `true and null`, want: `null`},
		{src: `false and null`, want: `false`},
		{src: `null and false`, want: `false`},
		{src: `true and "otherwise"`, want: `null`},
		{src: `false and "otherwise"`, want: `false`},
		{src: `true or null`, want: `true`},
		{src: `null or true`, want: `true`},
		{src: `false or null`, want: `null`},
		{src: `false or false`, want: `false`},
		{src: `false or "otherwise"`, want: `null`},
		{src: `not(true)`, want: `false`},
		{src: `not(null)`, want: `null`},
		{src: `not("x")`, want: `null`},
		{src: `a = 1 and b = 2 or false`, want: `true`},
		{src: `false and true or true`, want: `true`},
		{src: `orderSuspended = false and count(readyTasks) > 0`, want: `true`},
		{src: `orderSuspended = true`, want: `false`},
	})
}

func TestArithmetic(t *testing.T) {
	runEvalTable(t, []evalCase{
		{src: `1 + 2 * 3`, want: `7`},
		{src: `(1 + 2) * 3`, want: `9`},
		{src: `10 - 4 - 3`, want: `3`},
		{src: `-a + 5`, want: `4`},
		{src: `- (2 + 3)`, want: `-5`},
		{src: `2 ** 10`, want: `1024`},
		{src: `2 ** -1`, want: `0.5`},
		{src: `0.1 + 0.2`, want: `0.3`},
		{src: `0.1 + 0.2 = 0.3`, want: `true`},
		{src: `1 / 3`, want: `0.3333333333333333333333333333333333`},
		{src: `2 / 3`, want: `0.6666666666666666666666666666666667`},
		{src: `-2 / 3`, want: `-0.6666666666666666666666666666666667`},
		{src: `10 / 4`, want: `2.5`},
		{src: `1 / 0`, want: `null`},
		{src: `1.10 * 3`, want: `3.3`},
		{src: `big + 1`, want: `2251799813685250`},
		{src: `big * 1000000`, want: `2251799813685249000000`},
		{src: `9223372036854775807 + 1`, want: `9223372036854775808`},
		{src: `123456789012345678901234567890 - 123456789012345678901234567889`, want: `1`},
		{src: `order.total * 2`, want: `25`},
		{src: `1 + null`, want: `null`},
		{src: `missing * 2`, want: `null`},
		{src: `1 + "a"`, want: `null`},
		{src: `1 - true`, want: `null`},
	})
}

func TestStrings(t *testing.T) {
	runEvalTable(t, []evalCase{
		{src: `"a" + "b"`, want: `"ab"`},
		{src: `tenantId + ":" + orderId + ":" + currentTaskId`, want: `"t1:o-42:task-7"`},
		{src: `tenantId + ":" + orderId`, want: `"t1:o-42"`},
		{src: `tenantId + ":" + missing`, want: `null`},
		{src: `"n" + string(big)`, want: `"n2251799813685249"`},
	})
}

func TestConditionals(t *testing.T) {
	runEvalTable(t, []evalCase{
		{src: `if a = 1 then "one" else "other"`, want: `"one"`},
		{src: `if a = 2 then "two" else "other"`, want: `"other"`},
		{src: `if null then 1 else 2`, want: `2`},
		{src: `if "x" then 1 else 2`, want: `2`},
		{src: `if yes then if no then 1 else 2 else 3`, want: `2`},
		{src: `1 + (if yes then 1 else 0)`, want: `2`},
	})
}

func TestRangesAndIn(t *testing.T) {
	runEvalTable(t, []evalCase{
		{src: `5 between 1 and 10`, want: `true`},
		{src: `10 between 1 and 10`, want: `true`},
		{src: `11 between 1 and 10`, want: `false`},
		{src: `"b" between "a" and "c"`, want: `true`},
		{src: `null between 1 and 2`, want: `null`},
		{src: `2 in [1, 2, 3]`, want: `true`},
		{src: `4 in [1, 2, 3]`, want: `false`},
		{src: `3 in 1..5`, want: `true`},
		{src: `5 in [1..5]`, want: `true`},
		{src: `5 in [1..5)`, want: `false`},
		{src: `1 in (1..5]`, want: `false`},
		{src: `1 in ]1..5]`, want: `false`},
		{src: `2 in ]1..5]`, want: `true`},
		{src: `3 in (1, 3, 5)`, want: `true`},
		{src: `4 in (1, 3, 5)`, want: `false`},
		{src: `7 in > 5`, want: `true`},
		{src: `7 in (< 5, > 6)`, want: `true`},
		{src: `"b" in ["a", "b"]`, want: `true`},
		{src: `"b" in "b"`, want: `true`},
		{src: `a in xs`, want: `true`},
		{src: `"x" in 1..5`, want: `null`},
	})
}

func TestListsFiltersQuantifiers(t *testing.T) {
	runEvalTable(t, []evalCase{
		{src: `xs[1]`, want: `1`},
		{src: `xs[-1]`, want: `4`},
		{src: `xs[0]`, want: `null`},
		{src: `xs[9]`, want: `null`},
		{src: `xs[a + 1]`, want: `2`},
		{src: `xs[item > 2]`, want: `[3,4]`},
		{src: `xs[item > 10]`, want: `[]`},
		{src: `items[qty > 1].sku`, want: `["A","B"]`},
		{src: `items[item.sku = "C"][1].qty`, want: `1`},
		{src: `[1, 2, 3][item != 2]`, want: `[1,3]`},
		{src: `missing[1]`, want: `null`},
		{src: `s[1]`, wantErr: `filter: expected a list but got a string`},
		{src: `some x in xs satisfies x > 3`, want: `true`},
		{src: `some x in xs satisfies x > 4`, want: `false`},
		{src: `every x in xs satisfies x > 0`, want: `true`},
		{src: `every x in xs satisfies x > 1`, want: `false`},
		{src: `every x in [] satisfies x > 1`, want: `true`},
		{src: `some x in xs, y in [10] satisfies x + y = 14`, want: `true`},
		{src: `for x in xs return x * 2`, want: `[2,4,6,8]`},
		{src: `for x in [1, 2], y in [10, 20] return x + y`, want: `[11,21,12,22]`},
		{src: `for i in 1..3 return i`, want: `[1,2,3]`},
		{src: `for i in 3..1 return i`, want: `[3,2,1]`},
		{src: `for it in items return it.sku`, want: `["A","B","C"]`},
		{src: `for x in s return x`, wantErr: `"x" must be a list but is a string`},
		{src: `some x in missing satisfies x`, wantErr: `must be a list but is null`},
		{src: `every x in 3 satisfies x`, wantErr: `must be a list`},
	})
}

func TestContexts(t *testing.T) {
	runEvalTable(t, []evalCase{
		{src: `{a: 1}.a`, want: `1`},
		{src: `{a: 1}.b`, want: `null`},
		{src: `{x: order.customer}.x.tier`, want: `"gold"`},
		{src: `{"with space": 1}`, want: `{"with space":1}`},
		{src: `{total: sum(for i in items return i.qty)}`, want: `{"total":8}`},
		{src: `[{a: 1}, {a: 2}].a`, want: `[1,2]`},
	})
}
