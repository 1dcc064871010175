package outbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/failpoint"
	"github.com/orderfleet/orderfleet/internal/outbox"
	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
)

// buildRelay compiles the real binary, so the crash test kills exactly what production runs.
func buildRelay(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), outbox.Binary)
	cmd := exec.Command("go", "build", "-o", bin, "github.com/orderfleet/orderfleet/cmd/outbox-relay")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type process struct {
	cmd    *exec.Cmd
	output bytes.Buffer
	done   chan error
}

func startRelay(t *testing.T, bin string, env ...string) *process {
	t.Helper()
	p := &process{cmd: exec.Command(bin), done: make(chan error, 1)}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.output, &p.output
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

func (p *process) wait(t *testing.T, within time.Duration) error {
	t.Helper()
	select {
	case err := <-p.done:
		return err
	case <-time.After(within):
		t.Fatalf("relay did not exit within %s; output:\n%s", within, p.output.String())
		return nil
	}
}

// SIGKILL after Kafka acknowledged a batch and before the rows were marked: the restarted relay sends
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

	crashed := startRelay(t, bin, append(env, failpoint.EnvVar+"="+outbox.FailpointAfterPublish)...)
	err := crashed.wait(t, 30*time.Second)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("relay should die of SIGKILL at the failpoint, got %v; output:\n%s", err, crashed.output.String())
	}
	if got := countWhere(t, db, "published_at is not null"); got != 0 {
		t.Fatalf("%d rows marked although the relay died before marking", got)
	}

	restarted := startRelay(t, bin, env...)
	eventually(t, 30*time.Second, "every row published after the restart", func() bool {
		return countWhere(t, db, "published_at is null") == 0
	})
	_ = restarted.cmd.Process.Signal(syscall.SIGTERM)
	if err := restarted.wait(t, 15*time.Second); err != nil {
		t.Fatalf("relay did not drain on SIGTERM: %v\n%s", err, restarted.output.String())
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
