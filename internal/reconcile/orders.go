package reconcile

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/engineapi"
)

// Engine is the engine's side as its read API reports it; *engineapi.Client is the real one.
// A pass asks it in batches (all orders' instances in one search), never once per order.
type Engine interface {
	ProcessInstancesByKeys(ctx context.Context, keys []int64) (map[int64]engineapi.ProcessInstance, error)
	InstancesWithVariableValues(ctx context.Context, name string, values []any) (map[string][]int64, error)
	ActiveElements(ctx context.Context, processInstanceKey int64) ([]string, error)
}

// orderKinds are the kinds the order check decides; it resolves them only when it ran to the end.
var orderKinds = []domain.DivergenceKind{
	domain.DivergenceOrderWithoutProcess, domain.DivergenceProcessRunningForEndedOrder, domain.DivergenceProcessWaitingForCancelledOrder,
}

type orderRow struct {
	TenantID, OrderID, Status, PlanID string
	// RecordedKeys are the instance keys our tables hold for the order: a hint of where to look,
	// never the answer to whether an instance runs.
	RecordedKeys []string
}

// instanceView is one of an order's instances and its state on the engine's side.
type instanceView struct {
	key   int64
	state domain.EngineInstanceState
}

// checkOrders compares every order that has a start request with the instances the engine holds
// for it: live orders whose start is older than the grace, and orders that ended within the lookback.
func (r *Reconciler) checkOrders(ctx context.Context) ([]Finding, error) {
	rows, err := r.db.Query(ctx, `
		select o.tenant_id, o.id::text, o.status, coalesce(o.fulfillment_plan_id::text, ''),
		       coalesce(array_agg(distinct k) filter (where k is not null), '{}')
		from customer_order o
		join workflow_start_request s on s.tenant_id = o.tenant_id and s.order_id = o.id
		left join order_workflow_ref w on w.tenant_id = o.tenant_id and w.order_id = o.id
		left join fulfillment_execution e on e.tenant_id = o.tenant_id and e.order_id = o.id
		cross join lateral unnest(array[s.process_instance_key, w.process_instance_key, e.process_instance_key]) k
		where ($1 = '' or o.tenant_id = $1)
		  and ((o.status <> all($2) and coalesce(s.started_at, s.created_at) < now() - $3 * interval '1 millisecond')
		    or (o.status = any($2) and o.updated_at < now() - $3 * interval '1 millisecond'
		                           and o.updated_at > now() - $4 * interval '1 millisecond'))
		group by o.tenant_id, o.id, o.status, o.fulfillment_plan_id
		order by o.tenant_id, o.id`,
		r.cfg.TenantID, endStates(), millis(r.cfg.Grace), millis(r.cfg.Lookback))
	if err != nil {
		return nil, fmt.Errorf("read orders with start requests: %w", err)
	}
	orders, err := pgx.CollectRows(rows, pgx.RowToStructByPos[orderRow])
	if err != nil {
		return nil, fmt.Errorf("read orders with start requests: %w", err)
	}
	instancesByOrder, err := r.instancesOf(ctx, orders)
	if err != nil {
		// The engine's API is down or refusing: no order is judged on half an answer.
		return nil, err
	}
	var found []Finding
	for _, o := range orders {
		f, diverged, err := r.judgeOrder(ctx, o, instancesByOrder[o.OrderID])
		if err != nil {
			return found, fmt.Errorf("order %s: %w", o.OrderID, err)
		}
		if diverged {
			found = append(found, f)
		}
	}
	return found, nil
}

func (r *Reconciler) judgeOrder(ctx context.Context, o orderRow, instances []instanceView) (Finding, bool, error) {
	states := make([]domain.EngineInstanceState, len(instances))
	for i, in := range instances {
		states[i] = in.state
	}
	kind, diverged := domain.OrderProcessDivergence(domain.OrderStatus(o.Status), states)
	if !diverged {
		return Finding{}, false, nil
	}
	f := Finding{TenantID: o.TenantID, Kind: kind, Subject: o.OrderID, OrderID: o.OrderID, FulfillmentPlanID: o.PlanID}
	if kind == domain.DivergenceOrderWithoutProcess {
		if len(instances) > 0 {
			f.ProcessInstanceKey = strconv.FormatInt(instances[len(instances)-1].key, 10)
		}
		f.Detail = fmt.Sprintf("order is %s but the engine runs no instance for it (%s)", o.Status, describe(instances))
		return f, true, nil
	}
	for _, in := range instances {
		if !in.state.Running() {
			continue
		}
		f.ProcessInstanceKey = strconv.FormatInt(in.key, 10)
		nodes, err := r.engine.ActiveElements(ctx, in.key)
		if err != nil {
			return Finding{}, false, fmt.Errorf("active elements of instance %d: %w", in.key, err)
		}
		f.Detail = fmt.Sprintf("order is %s but instance %d is %s, at %s", o.Status, in.key, in.state, orNone(nodes))
		break
	}
	return f, true, nil
}

// instancesOf finds every order's instances in two searches for the whole pass: the instances
// whose orderId variable names one of the orders (a relay that crashed before storing its key
// leaves such an instance), then the state of those and of the keys we recorded, by key.
func (r *Reconciler) instancesOf(ctx context.Context, orders []orderRow) (map[string][]instanceView, error) {
	if len(orders) == 0 {
		return nil, nil
	}
	ids := make([]any, len(orders))
	for i, o := range orders {
		ids[i] = o.OrderID
	}
	byVariable, err := r.engine.InstancesWithVariableValues(ctx, "orderId", ids)
	if err != nil {
		return nil, fmt.Errorf("instances with orderId: %w", err)
	}
	keysByOrder := make(map[string][]int64, len(orders))
	var all []int64
	for _, o := range orders {
		var keys []int64
		for _, k := range o.RecordedKeys {
			if key, err := strconv.ParseInt(k, 10, 64); err == nil {
				keys = append(keys, key)
			}
		}
		text, err := engineapi.JSONText(o.OrderID)
		if err != nil {
			return nil, err
		}
		keys = append(keys, byVariable[text]...)
		slices.Sort(keys)
		keys = slices.Compact(keys)
		keysByOrder[o.OrderID] = keys
		all = append(all, keys...)
	}
	slices.Sort(all)
	all = slices.Compact(all)
	instances, err := r.engine.ProcessInstancesByKeys(ctx, all)
	if err != nil {
		return nil, fmt.Errorf("instance states: %w", err)
	}
	views := make(map[string][]instanceView, len(orders))
	for id, keys := range keysByOrder {
		for _, key := range keys {
			views[id] = append(views[id], instanceView{key, engineState(instances, key)})
		}
	}
	return views, nil
}

// engineState maps the read API's state to the reconciler's: an active instance with an open
// incident is INCIDENT, a terminated one CANCELED, a key the engine does not know UNKNOWN.
func engineState(instances map[int64]engineapi.ProcessInstance, key int64) domain.EngineInstanceState {
	pi, ok := instances[key]
	switch {
	case !ok:
		return domain.EngineInstanceUnknown
	case pi.State == engineapi.StateActive && pi.HasIncident:
		return domain.EngineInstanceIncident
	case pi.State == engineapi.StateTerminated:
		return domain.EngineInstanceCanceled
	}
	return domain.EngineInstanceState(pi.State)
}

func describe(instances []instanceView) string {
	if len(instances) == 0 {
		return "no instance recorded or found by the engine"
	}
	parts := make([]string, len(instances))
	for i, in := range instances {
		parts[i] = fmt.Sprintf("instance %d %s", in.key, in.state)
	}
	return strings.Join(parts, ", ")
}

func orNone(ids []string) string {
	if len(ids) == 0 {
		return "no active element"
	}
	return strings.Join(ids, ", ")
}

func endStates() []string {
	var out []string
	for _, s := range domain.OrderStatuses {
		if s.IsEndState() {
			out = append(out, string(s))
		}
	}
	return out
}
