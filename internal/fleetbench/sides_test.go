package fleetbench

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/zbc"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/omsclient"
)

// side is one way of running orders: through the fleet, or on the bare engine with stubs.
type side interface {
	name() string
	// start begins one order of the product and returns its id on this side.
	start(ctx context.Context, product string) (string, error)
	// progress counts the orders completed and those that ended otherwise.
	progress(ctx context.Context, ids []string) (completed, failed int, err error)
	// times are the orders' start and completion instants as the database recorded them.
	times(ctx context.Context, ids []string) ([]orderTimes, error)
	// instanceKeys are the engine's process instances of the orders.
	instanceKeys(ctx context.Context, ids []string) ([]int64, error)
}

type orderTimes struct{ accepted, completed time.Time }

// fleetSide captures orders through the OMS API and reads their state from the OMS database.
type fleetSide struct {
	api *omsclient.Client
	db  *pgxpool.Pool
}

func (fleetSide) name() string { return "fleet" }

func (f fleetSide) start(ctx context.Context, product string) (string, error) {
	doc := fmt.Sprintf(`{"customerId":"bench-%s","items":[{"lineNo":1,"productCode":%q,"action":"ADD","quantity":1}]}`, domain.NewUUID(), product)
	c, err := f.api.CaptureOrder(ctx, []byte(doc), omsclient.NewIdempotencyKey())
	return c.OrderID, err
}

func (f fleetSide) progress(ctx context.Context, ids []string) (int, int, error) {
	var done, failed int
	err := f.db.QueryRow(ctx, ownQuery+`select count(*) filter (where status = 'COMPLETED'),
		count(*) filter (where status in ('PARTIALLY_COMPLETED', 'CANCELLED', 'FAILED_WITH_FALLOUT', 'COMPENSATED', 'MANUAL_CLOSED', 'SUSPENDED'))
		from customer_order where id = any($1::text[]::uuid[])`, ids).Scan(&done, &failed)
	return done, failed, err
}

// times: created_at is written by the API's capture transaction, updated_at last by the
// finalize worker's transition to COMPLETED.
func (f fleetSide) times(ctx context.Context, ids []string) ([]orderTimes, error) {
	return scanTimes(ctx, f.db, ownQuery+`select created_at, updated_at from customer_order where id = any($1::text[]::uuid[])`, ids)
}

func (f fleetSide) instanceKeys(ctx context.Context, ids []string) ([]int64, error) {
	rows, err := f.db.Query(ctx, ownQuery+`select process_instance_key from order_workflow_ref where order_id = any($1::text[]::uuid[])`, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var keys []int64
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		k, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("process instance key %q: %w", s, err)
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// bareSide creates instances of the same process directly, answered by the stubs, and reads
// their state from the engine's database.
type bareSide struct {
	engine zbc.Client
	stubs  *stubFleet
	db     *pgxpool.Pool // the engine's database
	rounds map[string][]readyTask
}

func (bareSide) name() string { return "bare engine" }

func (s bareSide) start(ctx context.Context, product string) (string, error) {
	orderID := domain.NewUUID()
	s.stubs.add(orderID, s.rounds[product])
	cmd, err := s.engine.NewCreateInstanceCommand().BPMNProcessId("order-fulfillment-v1").LatestVersion().
		VariablesFromMap(map[string]any{"schemaVersion": 1, "tenantId": "fleetbench-bare", "orderId": orderID,
			"fulfillmentPlanId": domain.NewUUID(), "businessKey": "bench-" + orderID, "correlationId": domain.NewUUID()})
	if err != nil {
		return "", err
	}
	resp, err := cmd.Send(ctx)
	if err != nil {
		return "", err
	}
	return strconv.FormatInt(resp.GetProcessInstanceKey(), 10), nil
}

func (s bareSide) progress(ctx context.Context, ids []string) (int, int, error) {
	var done, failed int
	err := s.db.QueryRow(ctx, ownQuery+`select count(*) filter (where state = 'COMPLETED' and not has_incident),
		count(*) filter (where has_incident or state not in ('ACTIVE', 'COMPLETED'))
		from process_instance where key = any($1::text[]::bigint[])`, ids).Scan(&done, &failed)
	return done, failed, err
}

func (s bareSide) times(ctx context.Context, ids []string) ([]orderTimes, error) {
	return scanTimes(ctx, s.db, ownQuery+`select started_at, ended_at from process_instance where key = any($1::text[]::bigint[])`, ids)
}

func (bareSide) instanceKeys(_ context.Context, ids []string) ([]int64, error) {
	keys := make([]int64, len(ids))
	for i, id := range ids {
		k, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return nil, err
		}
		keys[i] = k
	}
	return keys, nil
}

func scanTimes(ctx context.Context, db *pgxpool.Pool, query string, ids []string) ([]orderTimes, error) {
	rows, err := db.Query(ctx, query, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []orderTimes
	for rows.Next() {
		var t orderTimes
		if err := rows.Scan(&t.accepted, &t.completed); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
