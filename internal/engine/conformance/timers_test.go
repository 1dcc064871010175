package conformance

import (
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
)

// Every test here moves the engine clock: none of them is parallel (see clockTest).

// timerThenTask: start → timer catch (kind, expr) → task(after) → end.
func timerThenTask(pid, kind, expr, after string) string {
	return bpmnDoc(pid, newScope(startEv("start"), catchTimer("wait", kind, expr), task("after", after), endEv("end")).chain("start", "wait", "after", "end"))
}

// docs: components/modeler/bpmn/timer-events (timer intermediate catch event: duration)
func TestTimerDurationFiresAfterClockMove(t *testing.T) {
	clockTest(t)
	pid, after := uniq("timer-duration"), uniq("timer-duration-after")
	pi := deployStart(t, timerThenTask(pid, "timeDuration", "PT10M", after), pid, nil)
	clockAdd(t, 5*time.Minute)
	noJob(t, after, 400*time.Millisecond)
	clockAdd(t, 6*time.Minute)
	completeNext(t, after, nil)
	waitState(t, pi, "COMPLETED")
}

// docs: components/modeler/bpmn/timer-events (interrupting timer boundary event)
func TestTimerBoundaryInterrupting(t *testing.T) {
	clockTest(t)
	pid, work, handle := uniq("timer-bnd"), uniq("timer-bnd-work"), uniq("timer-bnd-handle")
	xml := bpmnDoc(pid, newScope(startEv("start"), task("work", work), endEv("end"),
		boundaryTimer("late", "work", "timeDuration", "PT1H", true), task("handle", handle), endEv("lateEnd")).
		chain("start", "work", "end").chain("late", "handle", "lateEnd"))
	pi := deployStart(t, xml, pid, nil)
	wj := waitJob(t, work)
	clockAdd(t, 61*time.Minute)
	completeNext(t, handle, nil)
	wantCode(t, completeErr(t, wj.Key), codes.NotFound, "complete the job the timer interrupted")
	waitState(t, pi, "COMPLETED")
}

// docs: components/modeler/bpmn/timer-events (non-interrupting timer boundary event with a cycle)
func TestTimerBoundaryNonInterruptingCycleFiresTwice(t *testing.T) {
	clockTest(t)
	pid, work, remind := uniq("timer-cycle"), uniq("timer-cycle-work"), uniq("timer-cycle-remind")
	xml := bpmnDoc(pid, newScope(startEv("start"), task("work", work), endEv("end"),
		boundaryTimer("remind", "work", "timeCycle", "R2/PT1M", false), task("remindTask", remind), endEv("reminded")).
		chain("start", "work", "end").chain("remind", "remindTask", "reminded"))
	pi := deployStart(t, xml, pid, nil)
	wj := waitJob(t, work)
	for i := 1; i <= 2; i++ {
		clockAdd(t, 61*time.Second)
		completeNext(t, remind, nil)
	}
	clockAdd(t, 61*time.Second)
	noJob(t, remind, 600*time.Millisecond)
	complete(t, wj.Key, nil)
	waitState(t, pi, "COMPLETED")
}

// docs: components/modeler/bpmn/timer-events (time date)
func TestTimerDate(t *testing.T) {
	clockTest(t)
	pid, after := uniq("timer-date"), uniq("timer-date-after")
	due := clockNow(t).Add(2 * time.Hour).UTC().Format(time.RFC3339)
	deployStart(t, timerThenTask(pid, "timeDate", due, after), pid, nil)
	clockAdd(t, 90*time.Minute)
	noJob(t, after, 400*time.Millisecond)
	clockAdd(t, 31*time.Minute)
	completeNext(t, after, nil)
}

// docs: components/modeler/bpmn/timer-events (timer defined by a FEEL expression)
func TestTimerFromFEEL(t *testing.T) {
	clockTest(t)
	t.Run("DurationFunction", func(t *testing.T) {
		pid, after := uniq("timer-feel"), uniq("timer-feel-after")
		deployStart(t, timerThenTask(pid, "timeDuration", `=duration("PT5M")`, after), pid, nil)
		clockAdd(t, 4*time.Minute)
		noJob(t, after, 300*time.Millisecond)
		clockAdd(t, 2*time.Minute)
		completeNext(t, after, nil)
	})
	t.Run("FromVariable", func(t *testing.T) {
		pid, after := uniq("timer-var"), uniq("timer-var-after")
		deployStart(t, timerThenTask(pid, "timeDuration", `=wait`, after), pid, map[string]any{"wait": "PT7M"})
		clockAdd(t, 6*time.Minute)
		noJob(t, after, 300*time.Millisecond)
		clockAdd(t, 2*time.Minute)
		completeNext(t, after, nil)
	})
}

// docs: components/modeler/bpmn/timer-events (timer start event creates instances)
func TestTimerStartEventCreatesInstances(t *testing.T) {
	clockTest(t)
	pid := uniq("timer-start")
	xml := bpmnDoc(pid, newScope(timerStart("start", "timeCycle", "R2/PT1H"), endEv("end")).chain("start", "end"))
	deploy(t, xml)
	count := func() int {
		return len(search[instanceItem](t, "/v2/process-instances/search", map[string]any{"processDefinitionId": pid}))
	}
	if n := count(); n != 0 {
		t.Fatalf("%d instances before the first cycle", n)
	}
	for want := 1; want <= 2; want++ {
		clockAdd(t, 61*time.Minute)
		eventually(t, 10*time.Second, strconv.Itoa(want)+" timer-started instances", func() bool { return count() == want })
	}
	clockAdd(t, 61*time.Minute)
	time.Sleep(500 * time.Millisecond)
	if n := count(); n != 2 {
		t.Fatalf("R2 cycle created %d instances, want 2", n)
	}
}

// docs: apis-tools/camunda-api-rest/specifications/pin-internal-clock-alpha (a pinned clock does not advance)
func TestTimerWithPinnedClock(t *testing.T) {
	clockTest(t)
	pinned := time.Date(2031, 3, 1, 9, 0, 0, 0, time.UTC)
	clockPin(t, pinned)
	if got := clockNow(t); !got.Equal(pinned) {
		t.Fatalf("pinned clock reads %s, want %s", got, pinned)
	}
	time.Sleep(300 * time.Millisecond)
	if got := clockNow(t); !got.Equal(pinned) {
		t.Fatalf("a pinned clock moved on its own to %s", got)
	}
	pid, after := uniq("timer-pinned"), uniq("timer-pinned-after")
	deployStart(t, timerThenTask(pid, "timeDate", pinned.Add(time.Hour).Format(time.RFC3339), after), pid, nil)
	noJob(t, after, 300*time.Millisecond)
	clockAdd(t, 61*time.Minute)
	if got := clockNow(t); !got.Equal(pinned.Add(61 * time.Minute)) {
		t.Errorf("pinned clock after +61m reads %s", got)
	}
	completeNext(t, after, nil)
}

// docs: apis-tools/camunda-api-rest/specifications/reset-internal-clock-alpha (PUT /v2/clock, POST /v2/clock/reset)
func TestRESTClockPinAndReset(t *testing.T) {
	clockTest(t)
	at := time.Date(2032, 5, 6, 7, 8, 9, 0, time.UTC)
	if err := doJSON("PUT", "http://"+eng.httpAddr+"/v2/clock", map[string]int64{"timestamp": at.UnixMilli()}, nil); err != nil {
		t.Fatalf("PUT /v2/clock: %v", err)
	}
	if got := clockNow(t); !got.Equal(at) {
		t.Fatalf("clock after PUT /v2/clock reads %s, want %s", got, at)
	}
	if err := doJSON("POST", "http://"+eng.httpAddr+"/v2/clock/reset", nil, nil); err != nil {
		t.Fatalf("POST /v2/clock/reset: %v", err)
	}
	if got := clockNow(t); got.Sub(time.Now()).Abs() > 5*time.Second {
		t.Fatalf("clock after reset reads %s, want about now", got)
	}
}
