package feel

import "testing"

// BenchmarkEvalCondition is the gateway condition evaluated on every token move.
func BenchmarkEvalCondition(b *testing.B) {
	e, err := Parse(`orderSuspended = false and count(readyTasks) > 0`)
	if err != nil {
		b.Fatal(err)
	}
	vars := map[string]any{"orderSuspended": false, "readyTasks": []any{map[string]any{"taskId": "t"}}}
	ctx := Context{Lookup: func(name string) (any, bool) {
		v, ok := vars[name]
		return v, ok
	}}
	b.ReportAllocs()
	for b.Loop() {
		v, err := e.Eval(ctx)
		if err != nil || v != true {
			b.Fatalf("Eval = %v, %v", v, err)
		}
	}
}

func BenchmarkParseCorrelationKey(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(`tenantId + ":" + orderId + ":" + currentTaskId`); err != nil {
			b.Fatal(err)
		}
	}
}
