package store

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

const messageOnly = `<bpmn:startEvent id="start"/>
<bpmn:intermediateCatchEvent id="wait"><bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateCatchEvent>
<bpmn:endEvent id="end"/>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait"/>
<bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end"/>`

// A buffered message handed to an instance that ends before its correlate command runs was never
// received there: it stays available to the next instance of the process (as when the waiting
// element is gone), instead of being marked received by the ended instance forever.
func TestBufferedMessageHandedToAnEndedInstanceStaysAvailable(t *testing.T) {
	s := newTestStore(t, false, false)
	ctx := context.Background()
	deploy(t, s, "pw.bpmn", processWithMessage("pw", messageOnly))
	a, err := s.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "pw", Version: -1, Variables: `{"k":"o-2"}`})
	if err != nil {
		t.Fatal(err)
	}

	// Hold a's row so the correlate command cannot run right after the publish.
	holder, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback(ctx)
	if _, err := holder.Exec(ctx, `SELECT 1 FROM process_instance WHERE key = $1 FOR UPDATE`, a.InstanceKey); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PublishMessage(ctx, PublishRequest{Name: "paid", CorrelationKey: "o-2", TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	// Take the correlate command away from the blocked runner, keeping it to run after a ends.
	p := &pendingCommand{}
	var payload []byte
	if err := holder.QueryRow(ctx, `DELETE FROM pending_command WHERE process_instance_key = $1 RETURNING id, process_instance_key, kind, payload`,
		a.InstanceKey).Scan(&p.ID, &p.InstanceKey, &p.Kind, &payload); err != nil {
		t.Fatal(err)
	}
	p.Payload = json.RawMessage(payload)
	if err := holder.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	s.Wait()
	if err := s.CancelInstance(ctx, a.InstanceKey); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO pending_command (id, process_instance_key, kind, payload) VALUES ($1, $2, $3, $4)`,
		p.ID, p.InstanceKey, p.Kind, payload); err != nil {
		t.Fatal(err)
	}
	if err := s.runPending(ctx, p); err != nil {
		t.Fatal(err)
	}

	b, err := s.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "pw", Version: -1, Variables: `{"k":"o-2"}`})
	if err != nil {
		t.Fatal(err)
	}
	s.Wait()
	if st := instanceState(t, s, b.InstanceKey); st != "COMPLETED" {
		t.Fatalf("the next instance is %s: the buffered message stayed marked as received by the cancelled instance", st)
	}
}

// A message released by an instance that ended before receiving it goes on to the next open
// subscription of the same process, as Zeebe tries the next subscription, instead of waiting for
// a subscription opened later.
func TestReleasedMessageGoesToTheNextOpenSubscription(t *testing.T) {
	s := newTestStore(t, false, false)
	ctx := context.Background()
	deploy(t, s, "pn.bpmn", processWithMessage("pn", messageOnly))
	var keys [2]int64
	for i := range keys {
		created, err := s.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "pn", Version: -1, Variables: `{"k":"o-3"}`})
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = created.InstanceKey
	}
	a, b := keys[0], keys[1]

	holder, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback(ctx)
	if _, err := holder.Exec(ctx, `SELECT 1 FROM process_instance WHERE key = $1 FOR UPDATE`, a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PublishMessage(ctx, PublishRequest{Name: "paid", CorrelationKey: "o-3", TTL: time.Hour}); err != nil {
		t.Fatal(err)
	}
	p := &pendingCommand{}
	var payload []byte
	if err := holder.QueryRow(ctx, `DELETE FROM pending_command WHERE process_instance_key = $1 RETURNING id, process_instance_key, kind, payload`,
		a).Scan(&p.ID, &p.InstanceKey, &p.Kind, &payload); err != nil {
		t.Fatalf("the message was not handed to the older subscription first: %v", err)
	}
	p.Payload = json.RawMessage(payload)
	if err := holder.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	s.Wait()
	if err := s.CancelInstance(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `INSERT INTO pending_command (id, process_instance_key, kind, payload) VALUES ($1, $2, $3, $4)`,
		p.ID, p.InstanceKey, p.Kind, payload); err != nil {
		t.Fatal(err)
	}
	if err := s.runPending(ctx, p); err != nil {
		t.Fatal(err)
	}
	s.Wait()
	waitFor(t, "the waiting instance to receive the released message", func() bool { return instanceState(t, s, b) == "COMPLETED" })
}
