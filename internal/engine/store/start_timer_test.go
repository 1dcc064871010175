package store

import (
	"context"
	"testing"
	"time"
)

// A cron cycle on a timer start event is re-armed at its next slot; a firing the clock jumped past
// fires once and the cycle continues from now rather than catching up.
func TestCronStartTimerRearms(t *testing.T) {
	s := newTestStore(t, true, true)
	ctx := context.Background()
	if _, err := s.Clock().Pin(ctx, time.Date(2031, 3, 1, 9, 30, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	deploy(t, s, "hourly.bpmn", bpmnProcess("hourly", `<bpmn:startEvent id="start"><bpmn:timerEventDefinition>
<bpmn:timeCycle>0 0 * * * *</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>
<bpmn:endEvent id="end"/>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end"/>`))
	instances := func() int {
		var n int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM process_instance WHERE bpmn_process_id = 'hourly'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	dueAt := func() time.Time {
		var due time.Time
		var reps int
		if err := s.pool.QueryRow(ctx, `SELECT due_at, repetitions FROM timer WHERE process_instance_key = 0 AND element_id = 'start'`).Scan(&due, &reps); err != nil {
			t.Fatal(err)
		}
		if reps != -1 {
			t.Fatalf("a cron cycle has %d repetitions left, want -1 (unbounded)", reps)
		}
		return due.UTC()
	}
	if got, want := dueAt(), time.Date(2031, 3, 1, 10, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Fatalf("first firing due at %s, want %s", got, want)
	}

	if _, err := s.Clock().Add(ctx, 31*time.Minute); err != nil { // 10:01
		t.Fatal(err)
	}
	waitFor(t, "the 10:00 firing", func() bool { return instances() == 1 })
	waitFor(t, "the timer re-armed for 11:00", func() bool {
		return dueAt().Equal(time.Date(2031, 3, 1, 11, 0, 0, 0, time.UTC))
	})

	if _, err := s.Clock().Add(ctx, 3*time.Hour); err != nil { // 13:01: 11:00 and 12:00 were missed
		t.Fatal(err)
	}
	waitFor(t, "the late firing", func() bool { return instances() == 2 })
	waitFor(t, "the timer re-armed for 14:00", func() bool {
		return dueAt().Equal(time.Date(2031, 3, 1, 14, 0, 0, 0, time.UTC))
	})
	time.Sleep(300 * time.Millisecond)
	if n := instances(); n != 2 {
		t.Fatalf("a late cron cycle fired %d times in all, want 2 (missed slots are not caught up)", n)
	}
}
