package store

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkNineTaskLine drives 9-task instances with no-op workers (one per task type) and
// reports jobs per second. Run: go test -run x -bench NineTask -benchtime 1x ./internal/engine/store/
func BenchmarkNineTaskLine(b *testing.B) {
	s := newTestStore(b, false, false)
	ctx := context.Background()
	var body strings.Builder
	body.WriteString(`<bpmn:startEvent id="start"/>`)
	prev := "start"
	for i := 1; i <= 9; i++ {
		fmt.Fprintf(&body, `<bpmn:serviceTask id="t%d"><bpmn:extensionElements><zeebe:taskDefinition type="t%d"/></bpmn:extensionElements></bpmn:serviceTask>`, i, i)
		fmt.Fprintf(&body, `<bpmn:sequenceFlow id="f%d" sourceRef="%s" targetRef="t%d"/>`, i, prev, i)
		prev = fmt.Sprintf("t%d", i)
	}
	body.WriteString(`<bpmn:endEvent id="end"/><bpmn:sequenceFlow id="fe" sourceRef="t9" targetRef="end"/>`)
	if _, err := s.Deploy(ctx, []Resource{{Name: "line.bpmn", Content: bpmnProcess("line", body.String())}}); err != nil {
		b.Fatal(err)
	}
	const instances = 300
	for i := 0; i < instances; i++ {
		if _, err := s.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "line", Version: -1, Variables: fmt.Sprintf(`{"orderId":"o-%d","amount":12.5}`, i)}); err != nil {
			b.Fatal(err)
		}
	}
	var done atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for w := 1; w <= 9; w++ {
		for k := 0; k < 2; k++ {
			wg.Add(1)
			go func(jobType string) {
				defer wg.Done()
				for done.Load() < instances*9 && time.Since(start) < 60*time.Second {
					jobs, err := s.ActivateJobs(ctx, ActivateRequest{Type: jobType, Worker: "bench", Timeout: time.Minute, Max: 32})
					if err != nil {
						b.Error(err)
						return
					}
					if len(jobs) == 0 {
						time.Sleep(2 * time.Millisecond)
						continue
					}
					var cw sync.WaitGroup
					for _, j := range jobs {
						cw.Add(1)
						go func(key int64) {
							defer cw.Done()
							if err := s.CompleteJob(ctx, key, `{}`); err != nil {
								b.Error(err)
							}
							done.Add(1)
						}(j.Key)
					}
					cw.Wait()
				}
			}(fmt.Sprintf("t%d", w))
		}
	}
	wg.Wait()
	elapsed := time.Since(start)
	if done.Load() != instances*9 {
		b.Fatalf("completed %d of %d jobs", done.Load(), instances*9)
	}
	b.ReportMetric(float64(done.Load())/elapsed.Seconds(), "jobs/s")
}
