package conformance

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/pb"
	"google.golang.org/grpc/codes"
)

// waitFor: start → receive task (msg, key =orderId) → task(after) → end.
func waitForMessage(pid, msg, after string, catchEvent bool) string {
	wait := receiveTask("wait", msg, "=orderId")
	if catchEvent {
		wait = catchMsg("wait", msg, "=orderId")
	}
	return bpmnDoc(pid, newScope(startEv("start"), wait, task("after", after), endEv("end")).chain("start", "wait", "after", "end"))
}

// docs: components/concepts/messages (message subscriptions: name and correlation key)
func TestMessageCorrelatesToReceiveTask(t *testing.T) {
	parallel(t)
	pid, msg, after := uniq("msg-receive"), uniq("msg-receive"), uniq("msg-receive-after")
	order := uniq("order")
	pi := deployStart(t, waitForMessage(pid, msg, after, false), pid, map[string]any{"orderId": order})
	publish(t, msg, order+"-other", 0, nil)
	noJob(t, after, 300*time.Millisecond)
	publish(t, msg, order, 0, map[string]any{"paid": true})
	j := waitJob(t, after)
	if j.ProcessInstanceKey != pi || varJSON(t, j, "paid") != "true" {
		t.Fatalf("job of %d with paid=%s, want instance %d with the message's variables", j.ProcessInstanceKey, varJSON(t, j, "paid"), pi)
	}
}

// docs: components/modeler/bpmn/message-events (intermediate message catch event)
func TestMessageCorrelatesToIntermediateCatchEvent(t *testing.T) {
	parallel(t)
	pid, msg, after := uniq("msg-catch"), uniq("msg-catch"), uniq("msg-catch-after")
	order := uniq("order")
	deployStart(t, waitForMessage(pid, msg, after, true), pid, map[string]any{"orderId": order})
	publish(t, msg, order, 0, map[string]any{"amount": 12.5})
	if j := waitJob(t, after); varJSON(t, j, "amount") != "12.5" {
		t.Fatalf("amount = %s", varJSON(t, j, "amount"))
	}
}

// docs: components/concepts/messages (message buffering: correlates when the subscription opens)
func TestMessageBufferedUntilSubscriptionOpens(t *testing.T) {
	parallel(t)
	pid, msg, after := uniq("msg-buffer"), uniq("msg-buffer"), uniq("msg-buffer-after")
	order := uniq("order")
	deploy(t, waitForMessage(pid, msg, after, false))
	publish(t, msg, order, time.Hour, map[string]any{"early": "yes"})
	start(t, pid, map[string]any{"orderId": order})
	if j := waitJob(t, after); varJSON(t, j, "early") != `"yes"` {
		t.Fatalf("early = %s", varJSON(t, j, "early"))
	}
}

// docs: components/concepts/messages (a message with TTL 0 is not buffered)
func TestMessageWithZeroTTLIsNotBuffered(t *testing.T) {
	parallel(t)
	pid, msg, after := uniq("msg-ttl0"), uniq("msg-ttl0"), uniq("msg-ttl0-after")
	order := uniq("order")
	deploy(t, waitForMessage(pid, msg, after, false))
	publish(t, msg, order, 0, nil)
	start(t, pid, map[string]any{"orderId": order})
	noJob(t, after, 500*time.Millisecond)
	publish(t, msg, order, 0, nil)
	waitJob(t, after)
}

// docs: components/concepts/messages (message buffering: the message expires after its TTL)
func TestBufferedMessageExpiresAfterTTL(t *testing.T) {
	clockTest(t)
	pid, msg, after := uniq("msg-expire"), uniq("msg-expire"), uniq("msg-expire-after")
	order := uniq("order")
	deploy(t, waitForMessage(pid, msg, after, false))
	publish(t, msg, order, time.Minute, nil)
	if n := len(bufferedMessages(t, msg, order)); n != 1 {
		t.Fatalf("%d buffered messages listed after publishing with a TTL, want 1", n)
	}
	clockAdd(t, 2*time.Minute)
	// The leader deletes expired messages; correlation must not use them either way.
	eventually(t, 10*time.Second, "the expired message leaves the buffer", func() bool { return len(bufferedMessages(t, msg, order)) == 0 })
	start(t, pid, map[string]any{"orderId": order})
	noJob(t, after, 500*time.Millisecond)
}

// bufferedMessages lists the engine's buffered messages (our route, no v2 equivalent).
func bufferedMessages(t *testing.T, name, key string) []map[string]any {
	t.Helper()
	var out struct {
		Items []map[string]any `json:"items"`
	}
	u := fmt.Sprintf("http://%s/engine/messages?name=%s&correlationKey=%s", eng.httpAddr, url.QueryEscape(name), url.QueryEscape(key))
	if err := doJSON("GET", u, nil, &out); err != nil {
		t.Fatalf("GET /engine/messages: %v", err)
	}
	return out.Items
}

// docs: components/concepts/messages (message cardinality: a buffered message correlates once per instance)
func TestBufferedMessageCorrelatesOncePerInstance(t *testing.T) {
	parallel(t)
	pid, msg, work := uniq("msg-once"), uniq("msg-once"), uniq("msg-once-work")
	order := uniq("order")
	xml := bpmnDoc(pid, newScope(startEv("start"), exclusiveGw("join", ""), catchMsg("wait", msg, "=orderId"), task("work", work),
		exclusiveGw("again", "join"), endEv("end")).
		chain("start", "join", "wait", "work", "again").chain("again", "join").when("again", "end", "=done = true"))
	deploy(t, xml)
	publish(t, msg, order, time.Hour, nil)
	pi := start(t, pid, map[string]any{"orderId": order, "done": false})
	completeNext(t, work, map[string]any{"done": false})
	noJob(t, work, 700*time.Millisecond) // the loop re-entered the wait; the same message must not correlate again
	publish(t, msg, order, 0, nil)
	completeNext(t, work, map[string]any{"done": true})
	waitState(t, pi, "COMPLETED")
}

// docs: components/concepts/messages (message cardinality: one instance per process)
func TestMessageCorrelatesToOneInstancePerProcess(t *testing.T) {
	parallel(t)
	pidA, pidB, msg := uniq("msg-card-a"), uniq("msg-card-b"), uniq("msg-card")
	afterA, afterB := uniq("msg-card-after-a"), uniq("msg-card-after-b")
	order := uniq("order")
	deploy(t, waitForMessage(pidA, msg, afterA, false))
	deploy(t, waitForMessage(pidB, msg, afterB, false))
	start(t, pidA, map[string]any{"orderId": order})
	start(t, pidA, map[string]any{"orderId": order})
	start(t, pidB, map[string]any{"orderId": order})
	publish(t, msg, order, 0, nil)
	waitJob(t, afterB)
	waitJob(t, afterA)
	noJob(t, afterA, 500*time.Millisecond)
	publish(t, msg, order, 0, nil)
	waitJob(t, afterA)
}

// docs: components/concepts/messages (message uniqueness: same messageId while buffered)
func TestMessageIDUniqueWhileBuffered(t *testing.T) {
	parallel(t)
	msg, id := uniq("msg-id"), uniq("id")
	req := &pb.PublishMessageRequest{Name: msg, CorrelationKey: "k", MessageId: id, TimeToLive: time.Hour.Milliseconds(), Variables: "{}"}
	if _, err := gw.PublishMessage(ctxT(t), req); err != nil {
		t.Fatalf("first publish: %v", err)
	}
	_, err := gw.PublishMessage(ctxT(t), req)
	wantCode(t, err, codes.AlreadyExists, "second publish with the same messageId")
	req.MessageId = uniq("id")
	if _, err := gw.PublishMessage(ctxT(t), req); err != nil {
		t.Fatalf("publish with another messageId: %v", err)
	}
}

// docs: components/modeler/bpmn/message-events (message start event creates an instance)
func TestMessageStartEventCreatesInstance(t *testing.T) {
	parallel(t)
	pid, msg, jt := uniq("msg-start"), uniq("msg-start"), uniq("msg-start-task")
	xml := bpmnDoc(pid, newScope(msgStart("start", msg), task("task", jt), endEv("end")).chain("start", "task", "end"))
	deploy(t, xml)
	publish(t, msg, "", 0, map[string]any{"customer": "acme"})
	j := waitJob(t, jt)
	if j.BpmnProcessId != pid || varJSON(t, j, "customer") != `"acme"` {
		t.Fatalf("job of %s with customer=%s", j.BpmnProcessId, varJSON(t, j, "customer"))
	}
	complete(t, j.Key, nil)
	waitState(t, j.ProcessInstanceKey, "COMPLETED")
}

// boundaryFixture: task(work) with a message boundary (interrupting or not) → task(handle).
func messageBoundaryFixture(pid, work, handle, msg string, interrupting bool) string {
	return bpmnDoc(pid, newScope(startEv("start"), task("work", work), endEv("end"),
		boundaryMsg("onMsg", "work", msg, "=orderId", interrupting), task("handle", handle), endEv("handled")).
		chain("start", "work", "end").chain("onMsg", "handle", "handled"))
}

// docs: components/modeler/bpmn/message-events (interrupting message boundary event)
func TestMessageBoundaryInterrupting(t *testing.T) {
	parallel(t)
	pid, work, handle, msg := uniq("msg-bnd-int"), uniq("msg-bnd-int-work"), uniq("msg-bnd-int-handle"), uniq("msg-bnd-int")
	order := uniq("order")
	pi := deployStart(t, messageBoundaryFixture(pid, work, handle, msg, true), pid, map[string]any{"orderId": order})
	wj := waitJob(t, work)
	publish(t, msg, order, 0, nil)
	completeNext(t, handle, nil)
	wantCode(t, completeErr(t, wj.Key), codes.NotFound, "complete the interrupted task's job")
	waitState(t, pi, "COMPLETED")
}

// docs: components/modeler/bpmn/message-events (non-interrupting message boundary event)
func TestMessageBoundaryNonInterrupting(t *testing.T) {
	parallel(t)
	pid, work, handle, msg := uniq("msg-bnd-non"), uniq("msg-bnd-non-work"), uniq("msg-bnd-non-handle"), uniq("msg-bnd-non")
	order := uniq("order")
	pi := deployStart(t, messageBoundaryFixture(pid, work, handle, msg, false), pid, map[string]any{"orderId": order})
	wj := waitJob(t, work)
	publish(t, msg, order, 0, nil)
	completeNext(t, handle, nil)
	complete(t, wj.Key, nil)
	waitState(t, pi, "COMPLETED")
}

// docs: components/modeler/bpmn/event-subprocesses (message event subprocess, interrupting)
func TestMessageEventSubprocess(t *testing.T) {
	parallel(t)
	for _, interrupting := range []bool{true, false} {
		name := "Interrupting"
		if !interrupting {
			name = "NonInterrupting"
		}
		t.Run(name, func(t *testing.T) {
			pid, work, handle, msg := uniq("msg-evsub"), uniq("msg-evsub-work"), uniq("msg-evsub-handle"), uniq("msg-evsub")
			order := uniq("order")
			st := msgStartKey("evStart", msg, "=orderId")
			if !interrupting {
				st = st.nonInterrupting()
			}
			xml := bpmnDoc(pid, newScope(startEv("start"), task("work", work), endEv("end"),
				eventSubProcess("onMsg", newScope(st, task("handle", handle), endEv("evEnd")).chain("evStart", "handle", "evEnd"))).
				chain("start", "work", "end"))
			pi := deployStart(t, xml, pid, map[string]any{"orderId": order})
			wj := waitJob(t, work)
			publish(t, msg, order, 0, map[string]any{"why": "cancel"})
			hj := completeNext(t, handle, nil)
			if varJSON(t, hj, "why") != `"cancel"` {
				t.Errorf("message variable why = %s in the event subprocess", varJSON(t, hj, "why"))
			}
			if interrupting {
				wantCode(t, completeErr(t, wj.Key), codes.NotFound, "complete the job of the interrupted scope")
			} else {
				complete(t, wj.Key, nil)
			}
			waitState(t, pi, "COMPLETED")
		})
	}
}
