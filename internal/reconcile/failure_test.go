package reconcile_test

import (
	"context"
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"

	"github.com/orderfleet/orderfleet/internal/camunda"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/metrictest"
	"github.com/orderfleet/orderfleet/internal/reconcile"
)

// downOperate answers like an Operate that cannot be reached.
type downOperate struct{}

var errDown = errors.New("connection refused")

func (downOperate) ProcessInstance(context.Context, int64) (camunda.ProcessInstance, error) {
	return camunda.ProcessInstance{}, errDown
}
func (downOperate) InstancesWithVariable(context.Context, string, any) ([]int64, error) {
	return nil, errDown
}
func (downOperate) ActiveFlowNodes(context.Context, int64) ([]string, error) { return nil, errDown }

func TestOperateOutageResolvesNoOrderFindingButOtherChecksStillRun(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.capture(f.tenant)
	f.ageStartRequest(o)
	f.exec(`update outbox_event set created_at = now() - interval '1 hour' where tenant_id = $1`, f.tenant)
	f.pass()
	f.open(domain.DivergenceOrderWithoutProcess, o.OrderID)

	// The relay starts the instance, but Operate is down: the finding must stay open, not heal.
	f.exec(`update workflow_start_request set status = 'STARTED', process_instance_key = '42' where tenant_id = $1`, f.tenant)
	f.publishAll()
	reg := prometheus.NewRegistry()
	blind := reconcile.New(testConfig(f.tenant), f.db, downOperate{}, zaptest.NewLogger(t), reg)
	rep, err := blind.Pass(f.ctx)
	if !errors.Is(err, errDown) || len(rep.Failed) != 1 || rep.Failed[0] != "orders" {
		t.Fatalf("pass with Operate down: failed %v, err %v", rep.Failed, err)
	}
	f.open(domain.DivergenceOrderWithoutProcess, o.OrderID)
	f.resolved(domain.DivergenceOutboxUnpublished, "outbox")
	if n := metrictest.Value(t, reg, "orderfleet_reconcile_errors_total", "check", "orders"); n != 1 {
		t.Errorf("orderfleet_reconcile_errors_total{check=orders} = %v, want 1", n)
	}
}
