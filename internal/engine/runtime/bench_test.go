package runtime

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/engine/model"
)

// Each benchmark reports, beside its own ns/op, the cost of the JSON round trip of the same
// instance document measured in the same run ("doc-ns/op") and the ratio of the two
// ("x-doc-json"), so a slow machine and a slow runtime are told apart.

func benchEnv(b *testing.B, xml string) (*testEnv, *Definition) {
	b.Helper()
	defs, err := model.Parse("bench.bpmn", []byte(xml))
	if err != nil {
		b.Fatal(err)
	}
	e := newTestEnv(nil)
	p := defs.Processes[0]
	d := &Definition{Key: e.NewKey(), BPMNProcessID: p.ID, Version: 1, Process: p}
	e.defs[d.Key] = d
	e.latest[p.ID] = d
	return e, d
}

// reload is what the store does around each command: decode the stored document, then
// encode it again after the command.
func reload(b *testing.B, doc []byte) *Instance {
	var in Instance
	if err := json.Unmarshal(doc, &in); err != nil {
		b.Fatal(err)
	}
	return &in
}

func store(b *testing.B, in *Instance) []byte {
	doc, err := json.Marshal(in)
	if err != nil {
		b.Fatal(err)
	}
	return doc
}

// docBaseline is the mean cost of json.Unmarshal+json.Marshal of doc.
func docBaseline(b *testing.B, doc []byte) time.Duration {
	const n = 2000
	start := time.Now()
	for i := 0; i < n; i++ {
		var in Instance
		_ = json.Unmarshal(doc, &in)
		_, _ = json.Marshal(&in)
	}
	return time.Since(start) / n
}

func report(b *testing.B, perOp time.Duration, commands int, baselineDoc []byte) {
	b.StopTimer()
	base := docBaseline(b, baselineDoc) * time.Duration(commands)
	b.ReportMetric(float64(base.Nanoseconds()), "doc-ns/op")
	b.ReportMetric(float64(perOp)/float64(base), "x-doc-json")
}

const lineVars = `{"orderId":"o-1","tenantId":"t1","customer":{"id":"c-42","name":"Ada","segment":"B2B"},"lines":[{"sku":"A","qty":2,"price":12.5},{"sku":"B","qty":1,"price":99.99}],"total":124.99,"big":9007199254740993}`

func BenchmarkCompleteJobLine(b *testing.B) {
	var body strings.Builder
	body.WriteString(`<bpmn:startEvent id="s"/>`)
	prev := "s"
	for i := 1; i <= 9; i++ {
		id := fmt.Sprintf("t%d", i)
		body.WriteString(task(id, id, `<zeebe:ioMapping><zeebe:input source="=customer.id" target="customerId"/><zeebe:output source="=result" target="`+id+`Result"/></zeebe:ioMapping>`))
		body.WriteString(flow("f"+id, prev, id, ""))
		prev = id
	}
	body.WriteString(`<bpmn:endEvent id="end"/>` + flow("fend", prev, "end", ""))
	e, d := benchEnv(b, doc(body.String(), ""))
	var vars Vars
	_ = json.Unmarshal([]byte(lineVars), &vars)
	result := Vars{"result": json.RawMessage(`{"ok":true,"ref":"r-1"}`)}
	var midDoc []byte
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		e.records = e.records[:0]
		in, err := Start(e, d, StartRequest{Key: e.NewKey(), Variables: copyVars(vars)})
		if err != nil {
			b.Fatal(err)
		}
		doc := store(b, in)
		for step := 1; step <= 9; step++ {
			var job Job
			for k, j := range e.jobs {
				job = j
				delete(e.jobs, k)
			}
			in = reload(b, doc)
			if err := in.CompleteJob(e, job, copyVars(result)); err != nil {
				b.Fatal(err)
			}
			doc = store(b, in)
			if step == 5 && midDoc == nil {
				midDoc = doc
			}
		}
		if in.State != InstanceCompleted {
			b.Fatalf("state %s", in.State)
		}
	}
	perOp := time.Since(start) / time.Duration(b.N)
	report(b, perOp, 10, midDoc)
}

func BenchmarkOrderFulfillmentRound(b *testing.B) {
	xml, err := os.ReadFile("../../../bpmn/order-fulfillment-v1.bpmn")
	if err != nil {
		b.Fatal(err)
	}
	e, d := benchEnv(b, string(xml))
	tasks := `[{"taskId":"task-1","mode":"AUTOMATED_SYNC","timeout":"PT1H","resultMessage":"task-result"},` +
		`{"taskId":"task-2","mode":"AUTOMATED_SYNC","timeout":"PT1H","resultMessage":"task-result"},` +
		`{"taskId":"task-3","mode":"AUTOMATED_SYNC","timeout":"PT1H","resultMessage":"task-result"}]`
	planVars := Vars{}
	_ = json.Unmarshal([]byte(strings.Replace(plan, "%s", tasks, 1)), &planVars)
	done := Vars{"taskOutcome": json.RawMessage(`"DONE"`)}
	in, err := Start(e, d, StartRequest{Key: e.NewKey(), Variables: Vars{"tenantId": json.RawMessage(`"t1"`), "orderId": json.RawMessage(`"o1"`), "schemaVersion": json.RawMessage(`1`)}})
	if err != nil {
		b.Fatal(err)
	}
	doc := store(b, in)
	jobOf := func(typ string) Job {
		for k, j := range e.jobs {
			if j.Type == typ {
				delete(e.jobs, k)
				return j
			}
		}
		b.Fatalf("no job %s (open %v)", typ, e.jobTypes())
		return Job{}
	}
	commands := 0
	var roundDoc []byte
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		e.records = e.records[:0]
		// one round: the plan lists three sync tasks; each is executed; the plan is loaded again
		in = reload(b, doc)
		if err := in.CompleteJob(e, jobOf("load-fulfillment-plan"), copyVars(planVars)); err != nil {
			b.Fatal(err)
		}
		doc = store(b, in)
		roundDoc = doc
		for t := 0; t < 3; t++ {
			in = reload(b, doc)
			if err := in.CompleteJob(e, jobOf("execute-fulfillment-task"), copyVars(done)); err != nil {
				b.Fatal(err)
			}
			doc = store(b, in)
		}
		commands = 4
	}
	perOp := time.Since(start) / time.Duration(b.N)
	report(b, perOp, commands, roundDoc)
}
