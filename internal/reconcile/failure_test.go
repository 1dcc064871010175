package reconcile_test

import (
	"context"
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/engineapi"
	"github.com/orderfleet/orderfleet/internal/metrictest"
	"github.com/orderfleet/orderfleet/internal/reconcile"
)

// downEngine answers like an engine read API that cannot be reached.
type downEngine struct{}

var errDown = errors.New("connection refused")

func (downEngine) ProcessInstancesByKeys(context.Context, []int64) (map[int64]engineapi.ProcessInstance, error) {
	return nil, errDown
}
func (downEngine) InstancesWithVariableValues(context.Context, string, []any) (map[string][]int64, error) {
	return nil, errDown
}
func (downEngine) ActiveElements(context.Context, int64) ([]string, error) { return nil, errDown }

func TestEngineAPIOutageResolvesNoOrderFindingButOtherChecksStillRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.capture(f.tenant)
	f.ageStartRequest(o)
	f.exec(`update outbox_event set created_at = now() - interval '1 hour' where tenant_id = $1`, f.tenant)
	f.pass()
	f.open(domain.DivergenceOrderWithoutProcess, o.OrderID)

	// The relay starts the instance, but the engine's read API is down: the finding must stay open, not heal.
	f.exec(`update workflow_start_request set status = 'STARTED', process_instance_key = '42' where tenant_id = $1`, f.tenant)
	f.publishAll()
	reg := prometheus.NewRegistry()
	blind := reconcile.New(testConfig(f.tenant), f.db, downEngine{}, zaptest.NewLogger(t), reg)
	rep, err := blind.Pass(f.ctx)
	if !errors.Is(err, errDown) || len(rep.Failed) != 1 || rep.Failed[0] != "orders" {
		t.Fatalf("pass with the read API down: failed %v, err %v", rep.Failed, err)
	}
	f.open(domain.DivergenceOrderWithoutProcess, o.OrderID)
	f.resolved(domain.DivergenceOutboxUnpublished, "outbox")
	if n := metrictest.Value(t, reg, "orderfleet_reconcile_errors_total", "check", "orders"); n != 1 {
		t.Errorf("orderfleet_reconcile_errors_total{check=orders} = %v, want 1", n)
	}
}
