package fulfillment_test

import (
	"strings"
	"testing"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/fulfillment"
	"github.com/orderfleet/orderfleet/internal/worker"
)

func TestInstalledBaseIsAppliedOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.newOrder(bundleAdd(1), bundleAdd(2))

	for delivery := 1; delivery <= 2; delivery++ {
		out := f.must(f.run(o, fulfillment.JobApplyInstalledBase, nil))
		if len(out) != 1 || out["installedBaseApplied"] != true {
			t.Fatalf("delivery %d: output %v, want exactly {installedBaseApplied: true}", delivery, out)
		}
	}
	if n := f.count(`select count(*) from installed_base_asset where version = 1 and status = 'ACTIVE'`); n != 2 {
		t.Fatalf("%d active assets at version 1, want 2", n)
	}
	if n := f.count(`select count(*) from installed_base_asset_version where order_id = $1`, o.OrderID); n != 2 {
		t.Fatalf("%d asset versions, want 2", n)
	}
	if n := f.events(o, domain.EventInstalledBaseUpdated); n != 2 {
		t.Fatalf("%d InstalledBaseUpdated events, want 2 (one per line, none for the redelivery)", n)
	}
}

// Two change orders were taken against version 1 of the same asset; the first one applied moves
// it to version 2, so the second is stale. None of its lines may be written.
func TestInstalledBaseConflictWritesNothingAndOpensFallout(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	added := f.newOrder(bundleAdd(1), bundleAdd(2))
	f.must(f.run(added, fulfillment.JobApplyInstalledBase, nil))
	items, err := f.store.GetOrder(f.ctx, tenant, added.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	first, second := items.Items[0].ID, items.Items[1].ID // an ADD's asset takes its line's id
	winner := f.newOrder(bundleModify(1, first, 1))
	stale := f.newOrder(bundleModify(1, second, 1), bundleModify(2, first, 1))
	f.must(f.run(winner, fulfillment.JobApplyInstalledBase, nil))
	events := f.allEvents()

	_, err = f.run(stale, fulfillment.JobApplyInstalledBase, nil)
	fl := failure(t, err)
	if fl.Class != worker.ClassBusiness || fl.Code != fulfillment.ErrorInstalledBaseConflict ||
		fl.Variables["falloutReason"] != "INSTALLED_BASE_CONFLICT" || !strings.Contains(err.Error(), "version 2, the order expected 1") {
		t.Fatalf("got %v (%+v), want business error INSTALLED_BASE_CONFLICT explaining the versions", err, fl)
	}
	if n := f.count(`select count(*) from installed_base_asset_version where order_id = $1`, stale.OrderID); n != 0 {
		t.Fatalf("%d asset versions written by the conflicting order, want none", n)
	}
	if v := f.count(`select version from installed_base_asset where id = $1`, second); v != 1 {
		t.Fatalf("the untouched asset moved to version %d: a half-written apply", v)
	}
	if n := f.allEvents() - events; n != 0 {
		t.Fatalf("%d events written by the conflicting apply", n)
	}

	out := f.must(f.run(stale, fulfillment.JobOpenFallout, map[string]any{"falloutReason": "INSTALLED_BASE_CONFLICT"}))
	again := f.must(f.run(stale, fulfillment.JobOpenFallout, map[string]any{"falloutReason": "INSTALLED_BASE_CONFLICT"}))
	if out["falloutCaseId"] != again["falloutCaseId"] {
		t.Fatalf("two cases for one conflict: %v and %v", out, again)
	}
	staleOrder, err := f.store.GetOrder(f.ctx, tenant, stale.OrderID)
	if err != nil {
		t.Fatal(err)
	}
	fc, err := f.store.GetFallout(f.ctx, tenant, out["falloutCaseId"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if fc.Category != domain.FalloutInstalledBaseConflict || fc.OrderItemID != staleOrder.Items[1].ID ||
		fc.SourceSystem != "oms-installed-base" || fc.Severity != domain.SeverityHigh || !strings.Contains(fc.Description, "version 2") {
		t.Fatalf("installed-base fallout not filled from the truth: %+v", fc)
	}
	if want := "runbook: docs/runbooks.md#fallout-installed-base-conflict"; !strings.HasSuffix(fc.Description, want) {
		t.Fatalf("fallout description %q does not end with %q", fc.Description, want)
	}
}

func TestLoadPlanDescribesReadyTasksForRouting(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	o := f.newOrder()
	out := f.must(f.run(o, fulfillment.JobLoadFulfillmentPlan, nil))
	ready, _ := out["readyTasks"].([]map[string]any)
	ids, _ := out["readyTaskIds"].([]string)
	if len(ready) != 2 || len(ids) != 2 || out["orderSuspended"] != false || out["failedTaskId"] != nil {
		t.Fatalf("output %v, want two ready tasks, not suspended, no failed task", out)
	}
	want := map[string]map[string]any{
		f.task(o, "access.check").ID: {"mode": "AUTOMATED_SYNC", "timeout": "PT5M", "resultMessage": "external-result"},
		f.task(o, asyncTask).ID:      {"mode": "AUTOMATED_ASYNC", "timeout": "P3D", "resultMessage": "shipping-confirmed"},
	}
	for i, r := range ready {
		w, ok := want[r["taskId"].(string)]
		if !ok || r["taskId"] != ids[i] || r["mode"] != w["mode"] || r["timeout"] != w["timeout"] || r["resultMessage"] != w["resultMessage"] {
			t.Fatalf("ready task %v, want %v in readyTaskIds order", r, w)
		}
	}

	err := f.store.UpdateOrder(f.ctx, tenant, o.OrderID, func(ord *domain.Order) error {
		return ord.Suspend(domain.SuspendCustomerHold, cause())
	})
	if err != nil {
		t.Fatal(err)
	}
	out = f.must(f.run(o, fulfillment.JobLoadFulfillmentPlan, nil))
	if out["orderSuspended"] != true || len(out["readyTasks"].([]map[string]any)) != 0 || out["readyTaskIds"] == nil {
		t.Fatalf("suspended order: output %v, want orderSuspended and no ready tasks", out)
	}
}
