package outbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/failpoint"
	"github.com/orderfleet/orderfleet/internal/outbox"
	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
	"github.com/orderfleet/orderfleet/internal/proctest"
)

// buildRelay compiles the real binary, so the crash test kills exactly what production runs.
func buildRelay(t *testing.T) string {
	return proctest.Build(t, "github.com/orderfleet/orderfleet/cmd/outbox-relay", outbox.Binary)
}

// SIGKILL after Kafka acknowledged a batch and before the batch was recorded: the restarted relay sends
// that batch again, nothing is lost, and a consumer deduplicating on eventId (the inbox) processes
// every event exactly once, each aggregate in order.
func TestRelayCrashAfterPublishLosesNothing(t *testing.T) {
	ctx := context.Background()
	db, dbURL := pgtest.NewDatabase(t)
	topic := newTopic(t, 3)
	bin := buildRelay(t)

	const aggregates, perAggregate, batch = 8, 50, 100
	var events []domain.Event
	for a := 0; a < aggregates; a++ {
		agg := domain.NewUUID()
		for seq := 1; seq <= perAggregate; seq++ {
			events = append(events, event(agg, seq))
		}
	}
	insertCommitted(t, db, events...)
	env := []string{
		"ORDERFLEET_DATABASE_URL=" + dbURL, "ORDERFLEET_KAFKA_BROKERS=" + brokers(), "ORDERFLEET_KAFKA_TOPIC=" + topic,
		"ORDERFLEET_ADMIN_ADDR=127.0.0.1:0", "ORDERFLEET_OUTBOX_BATCH_SIZE=100", "ORDERFLEET_LOG_LEVEL=warn",
	}

	crashed := proctest.Start(t, bin, append(env, failpoint.EnvVar+"="+outbox.FailpointAfterPublish)...)
	err := crashed.Wait(t, 30*time.Second)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("relay should die of SIGKILL at the failpoint, got %v; output:\n%s", err, crashed.Output())
	}
	if got := published(t, db); got != 0 {
		t.Fatalf("%d rows counted published although the relay died before recording them", got)
	}

	restarted := proctest.Start(t, bin, env...)
	eventually(t, 30*time.Second, "every row published after the restart", func() bool {
		return unpublished(t, db) == 0
	})
	_ = restarted.Cmd.Process.Signal(syscall.SIGTERM)
	if err := restarted.Wait(t, 15*time.Second); err != nil {
		t.Fatalf("relay did not drain on SIGTERM: %v\n%s", err, restarted.Output())
	}

	// The crashed batch is in Kafka twice; everything else once.
	msgs := consume(t, topic, len(events)+batch, 30*time.Second)
	processed, duplicates := 0, 0
	lastSeq := map[string]int{}
	for _, m := range msgs {
		var e domain.Event
		if err := json.Unmarshal(m.Value, &e); err != nil {
			t.Fatal(err)
		}
		tag, err := db.Exec(ctx, `
			insert into inbox_event (id, tenant_id, consumer, message_id, source, event_type)
			values (gen_random_uuid(), $1, 'outbox-crash-test', $2, $3, $4)
			on conflict (tenant_id, consumer, message_id) do nothing`, e.TenantID, e.EventID, topic, e.EventType)
		if err != nil {
			t.Fatal(err)
		}
		if tag.RowsAffected() == 0 {
			duplicates++
			continue
		}
		processed++
		if seq := int(e.Payload["seq"].(float64)); seq != lastSeq[e.AggregateID]+1 {
			t.Fatalf("aggregate %s: first delivery of seq %d after %d", e.AggregateID, seq, lastSeq[e.AggregateID])
		} else {
			lastSeq[e.AggregateID] = seq
		}
	}
	if processed != len(events) || duplicates != batch {
		t.Fatalf("consumer processed %d events and dropped %d duplicates; want %d and %d", processed, duplicates, len(events), batch)
	}
	t.Logf("%d records read, %d events processed once, %d redelivered duplicates dropped by the inbox", len(msgs), processed, duplicates)
}
