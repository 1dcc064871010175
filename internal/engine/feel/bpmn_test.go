package feel

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"testing"

	"github.com/orderfleet/orderfleet/bpmn"
)

// bpmnExpressions is every FEEL expression ("=..." attribute or element text) in the project's
// BPMN files, without its "=".
func bpmnExpressions(t *testing.T) []string {
	t.Helper()
	names, err := fs.Glob(bpmn.Files, "*.bpmn")
	if err != nil || len(names) == 0 {
		t.Fatalf("no BPMN files: %v", err)
	}
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if strings.HasPrefix(s, "=") && !seen[s] {
			seen[s] = true
			out = append(out, s[1:])
		}
	}
	for _, name := range names {
		f, err := bpmn.Files.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		dec := xml.NewDecoder(f)
		for {
			tok, err := dec.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			switch x := tok.(type) {
			case xml.StartElement:
				for _, a := range x.Attr {
					add(a.Value)
				}
			case xml.CharData:
				add(string(x))
			}
		}
		f.Close()
	}
	return out
}

// TestBPMNExpressionsParseAndEvaluate: every expression the fulfillment process uses parses and
// evaluates without error against variables of the shape the fleet sets.
func TestBPMNExpressionsParseAndEvaluate(t *testing.T) {
	exprs := bpmnExpressions(t)
	if len(exprs) < 10 {
		t.Fatalf("found only %d expressions: %q", len(exprs), exprs)
	}
	vars := testVars(t)
	for _, src := range exprs {
		e, err := Parse(src)
		if err != nil {
			t.Errorf("Parse(%q): %v", src, err)
			continue
		}
		if _, err := e.Eval(testContext(vars)); err != nil {
			t.Errorf("Eval(%q): %v", src, err)
		}
	}
}

// TestBPMNExpressionResults pins the results the process relies on.
func TestBPMNExpressionResults(t *testing.T) {
	runEvalTable(t, []evalCase{
		{src: `orderSuspended = false and count(readyTasks) > 0`, want: `true`},
		{src: `tenantId + ":" + orderId + ":" + currentTaskId`, want: `"t1:o-42:task-7"`},
		{src: `readyTask.mode = "AUTOMATED_ASYNC"`, want: `true`},
		{src: `readyTask.mode = "WAIT_ONLY"`, want: `false`},
		{src: `readyTask.timeout`, want: `"PT10M"`},
		{src: `readyTask.resultMessage`, want: `"result"`},
		{src: `readyTask.taskId`, want: `"task-7"`},
		{src: `"COMPENSATION_FAILED"`, want: `"COMPENSATION_FAILED"`},
		{src: `readyTasks`, want: `[{"taskId":"task-7"}]`},
		// Variables not set yet: the conditions are null (not true), not errors.
		{src: `allRequiredTasksDone = true`, want: `false`},
		{src: `planValid = false`, want: `false`},
		// A ready task (optional ones too) runs before the plan counts as executed.
		{src: `allRequiredTasksDone = true and count(readyTasks) = 0`, want: `false`},
		{src: `compensationStepIds`, want: `null`},
	})
}

// TestConcurrentEval evaluates one parsed expression from many goroutines (run with -race).
func TestConcurrentEval(t *testing.T) {
	e, err := Parse(`for it in items[qty > 1] return matches(it.sku, "^[A-Z]$") and it.qty + 0.1 > 1`)
	if err != nil {
		t.Fatal(err)
	}
	vars := testVars(t)
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for range 200 {
				v, err := e.Eval(testContext(vars))
				if err != nil {
					errs <- err
					return
				}
				if out, _ := ToJSON(v); string(out) != `[true,true]` {
					errs <- fmt.Errorf("got %s, want [true,true]", out)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
