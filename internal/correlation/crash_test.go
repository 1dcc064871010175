package correlation_test

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/orderfleet/orderfleet/internal/correlation"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/failpoint"
	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
	"github.com/orderfleet/orderfleet/internal/proctest"
)

func buildRouter(t *testing.T) string {
	return proctest.Build(t, "github.com/orderfleet/orderfleet/cmd/correlation-router", correlation.Binary)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// routerProcess is a running router binary with its own admin listener, for metric scrapes.
type routerProcess struct {
	*proctest.Process
	admin string
}

func runRouter(t *testing.T, bin string, env []string) *routerProcess {
	t.Helper()
	admin := freeAddr(t)
	return &routerProcess{Process: proctest.Start(t, bin, append(env, "ORDERFLEET_ADMIN_ADDR="+admin)...), admin: admin}
}

// scrape sums a metric's series from the binary's /metrics.
func (p *routerProcess) scrape(t *testing.T, name string) float64 {
	t.Helper()
	v, err := p.tryScrape(name)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// tryScrape is scrape for a binary that may not be listening yet.
func (p *routerProcess) tryScrape(name string) (float64, error) {
	resp, err := http.Get("http://" + p.admin + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	total := 0.0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, name+" ") || strings.HasPrefix(line, name+"{") {
			v, _ := strconv.ParseFloat(line[strings.LastIndex(line, " ")+1:], 64)
			total += v
		}
	}
	return total, sc.Err()
}

// SIGKILL mid-batch at either side of the inbox commit, then restart: every eventId is processed
// once in the inbox, the engine saw each message (instances complete), and the redeliveries were
// absorbed by the engine's messageId check or by the inbox.
func TestRouterCrashMidBatchLosesNothing(t *testing.T) {
	bin := buildRouter(t)
	engine := dialEngine(t)
	for _, point := range []string{correlation.FailpointAfterPublish, correlation.FailpointAfterCommit} {
		t.Run(point, func(t *testing.T) {
			db, dbURL := pgtest.NewDatabase(t)
			topic := newTopic(t, 3)
			const n = 12
			events := make([]domain.Event, n)
			records := make([]kafka.Message, n)
			for i := range events {
				events[i] = taskResult("provisioning-adapter", fmt.Sprintf("OK-%d", i))
				records[i] = record(t, events[i])
			}
			produce(t, topic, records...)
			env := []string{
				"ORDERFLEET_DATABASE_URL=" + dbURL, "ORDERFLEET_ZEEBE_ADDRESS=" + zeebeAddress(), "ORDERFLEET_KAFKA_BROKERS=" + brokers(),
				"ORDERFLEET_KAFKA_TOPICS=" + topic, "ORDERFLEET_KAFKA_GROUP=test-crash-" + randomSuffix(),
				"ORDERFLEET_KAFKA_SESSION_TIMEOUT=6s", "ORDERFLEET_MESSAGE_TTL=" + testTTL.String(), "ORDERFLEET_LOG_LEVEL=warn",
				"ORDERFLEET_ROUTER_CONCURRENCY=8",
			}

			crashed := runRouter(t, bin, append(env, failpoint.EnvVar+"="+point))
			err := crashed.Wait(t, 40*time.Second)
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("router should die of SIGKILL at %s, got %v; output:\n%s", point, err, crashed.Output())
			}
			before := count(t, db, `select count(*) from inbox_event`)

			restarted := runRouter(t, bin, env)
			eventually(t, 40*time.Second, "every event processed after the restart", func() bool {
				return count(t, db, `select count(*) from inbox_event where status = 'PROCESSED'`) == n
			})
			// The crashed router may have committed a whole batch (inbox writes are group-committed), so
			// everything can be PROCESSED before the restarted one has finished a record: wait for at
			// least one redelivery as well.
			eventually(t, 10*time.Second, "every record finished", func() bool {
				v, err := restarted.tryScrape("orderfleet_router_records_total")
				return err == nil && v >= float64(max(n-before, 1))
			})
			engineDups := restarted.scrape(t, "orderfleet_router_engine_duplicates_total")
			inboxDups := restarted.scrape(t, `orderfleet_router_records_total{outcome="duplicate"}`)
			_ = restarted.Cmd.Process.Signal(syscall.SIGTERM)
			if err := restarted.Wait(t, 20*time.Second); err != nil {
				t.Fatalf("router did not drain on SIGTERM: %v\n%s", err, restarted.Output())
			}
			t.Logf("inbox rows before restart %d; after restart: engine ALREADY_EXISTS %v, inbox duplicates %v", before, engineDups, inboxDups)

			for _, e := range events {
				if c := count(t, db, `select count(*) from inbox_event where message_id = $1 and status = 'PROCESSED'`, e.EventID); c != 1 {
					t.Fatalf("event %s processed %d times in the inbox, want 1", e.EventID, c)
				}
			}
			switch point {
			case correlation.FailpointAfterPublish:
				if before != 0 || engineDups < 1 {
					t.Fatalf("crash before the inbox commit: want no inbox rows before the restart (got %d) and the repeated publish dropped by the engine (got %v)", before, engineDups)
				}
			case correlation.FailpointAfterCommit:
				if before < 1 || inboxDups < 1 {
					t.Fatalf("crash after the inbox commit: want inbox rows before the restart (got %d) and the redelivery caught by the inbox (got %v)", before, inboxDups)
				}
			}
			instances := make([]*waitingInstance, n)
			for i, e := range events {
				instances[i] = startWaiting(t, engine, correlation.MessageProvisioningCompleted, payloadKey(e))
			}
			for _, inst := range instances {
				inst.openGate(t, engine)
			}
			for i, inst := range instances {
				if vars := inst.completed(t, 30*time.Second); vars["externalResultEventId"] != events[i].EventID {
					t.Fatalf("instance %d correlated %v, want event %s", i, vars["externalResultEventId"], events[i].EventID)
				}
			}
		})
	}
}
