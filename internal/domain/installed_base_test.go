package domain

import (
	"testing"
)

func ibOrder(t *testing.T, items ...ItemInput) *Order {
	return mustOrder(t, SequentialIDs(3), CompletionRequiresBillingActive, items...)
}

func record(a Asset, versions ...AssetVersion) *AssetRecord {
	return &AssetRecord{Asset: a, Versions: versions}
}

var bb = Asset{ID: "bb-1", TenantID: "tenant-a", CustomerID: "cust-1", ProductCode: "BROADBAND_BUNDLE", Status: AssetActive,
	Location: "1 Main St", Attributes: map[string]string{"downloadMbps": "500"}, Version: 2}

func TestApplyAssetImpactPerAction(t *testing.T) {
	t.Run("ADD creates an instance", func(t *testing.T) {
		o := ibOrder(t, bundleAdd(1), ItemInput{LineNo: 2, ProductCode: "SECURITY_SUITE", Action: ActionAdd, ParentLineNo: 1})
		imp, err := ApplyAssetImpact(o, o.Items[0], nil, t0)
		if err != nil || !imp.Created || imp.Duplicate || imp.Asset.ID != o.Items[0].ID || imp.Asset.Version != 1 ||
			imp.Asset.Status != AssetActive || imp.Asset.Location != "1 Main St" || imp.Asset.CustomerID != "cust-1" ||
			imp.Version.OrderItemID != o.Items[0].ID || imp.Version.Action != ActionAdd {
			t.Fatalf("%+v %v", imp, err)
		}
		addon, err := ApplyAssetImpact(o, o.Items[1], nil, t0)
		if err != nil || addon.Asset.ParentAssetID != o.Items[0].ID {
			t.Fatalf("add-on parent %q %v", addon.Asset.ParentAssetID, err)
		}
	})
	t.Run("MODIFY creates a new version", func(t *testing.T) {
		o := ibOrder(t, ItemInput{LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: ActionModify, TargetAssetID: "bb-1", ExpectedAssetVersion: 2, Attributes: map[string]string{"downloadMbps": "1000"}})
		imp, err := ApplyAssetImpact(o, o.Items[0], record(bb), t0)
		if err != nil || imp.Asset.Version != 3 || imp.Asset.Attributes["downloadMbps"] != "1000" || bb.Attributes["downloadMbps"] != "500" || imp.Created {
			t.Fatalf("%+v %v (original mutated: %v)", imp, err, bb.Attributes)
		}
	})
	t.Run("DISCONNECT closes", func(t *testing.T) {
		o := ibOrder(t, ItemInput{LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: ActionDisconnect, TargetAssetID: "bb-1", ExpectedAssetVersion: 2})
		imp, err := ApplyAssetImpact(o, o.Items[0], record(bb), t0)
		if err != nil || imp.Asset.Status != AssetClosed || imp.Version.Status != AssetClosed || imp.Asset.Version != 3 {
			t.Fatalf("%+v %v", imp, err)
		}
	})
	t.Run("MOVE updates location", func(t *testing.T) {
		o := ibOrder(t, ItemInput{LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: ActionMove, TargetAssetID: "bb-1", ExpectedAssetVersion: 2, Location: "9 New Rd"})
		imp, err := ApplyAssetImpact(o, o.Items[0], record(bb), t0)
		if err != nil || imp.Asset.Location != "9 New Rd" || imp.Asset.Status != AssetActive || imp.Asset.Version != 3 {
			t.Fatalf("%+v %v", imp, err)
		}
	})
}

func TestApplyAssetImpactIsIdempotent(t *testing.T) {
	o := ibOrder(t, ItemInput{LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: ActionModify, TargetAssetID: "bb-1", ExpectedAssetVersion: 2, Attributes: map[string]string{"downloadMbps": "1000"}})
	first, err := ApplyAssetImpact(o, o.Items[0], record(bb), t0)
	must(t, err)
	// Someone else changed the asset after us; re-applying our line is still a no-op.
	later := first.Asset
	later.Version = 4
	again, err := ApplyAssetImpact(o, o.Items[0], record(later, first.Version), t0)
	if err != nil || !again.Duplicate || again.Version.Version != 3 {
		t.Fatalf("duplicate apply: %+v %v", again, err)
	}
	add := ibOrder(t, bundleAdd(1))
	created, err := ApplyAssetImpact(add, add.Items[0], nil, t0)
	must(t, err)
	dup, err := ApplyAssetImpact(add, add.Items[0], record(created.Asset, created.Version), t0)
	if err != nil || !dup.Duplicate || dup.Created {
		t.Fatalf("duplicate ADD: %+v %v", dup, err)
	}
}

func TestAssetVersionConflictStopsFinalisation(t *testing.T) {
	assets := assetBook{"bb-1": bb}
	item := ItemInput{LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: ActionModify, TargetAssetID: "bb-1", ExpectedAssetVersion: 2, Attributes: map[string]string{"downloadMbps": "1000"}}
	o, p := preparedPlan(t, assets, CompletionRequiresBillingActive, item)
	must(t, o.StartFulfillment(testCause("LOAD")))
	update := taskByKey(t, p, "asset.update")
	for update.Status != TaskReady {
		for _, id := range p.ReadyTaskIDs() {
			if id != update.ID {
				runTask(t, p, id)
			}
		}
	}
	// Meanwhile another order moved the asset to version 3.
	moved := bb
	moved.Version = 3
	_, err := ApplyAssetImpact(o, o.Items[0], record(moved), t0)
	if ErrorCode(err) != EVERSIONCONFLICT || len(ErrorRefs(err)) != 2 {
		t.Fatalf("stale apply: %v", err)
	}
	_, err = p.StartTask(update.ID, AttemptRequest{}, testCause("APPLY"))
	must(t, err)
	_, err = p.FailTask(update.ID, TaskFailure{Code: EVERSIONCONFLICT, Message: "asset changed"}, testCause("APPLY"))
	must(t, err)
	if _, err := o.Finalize(p, testCause("FINALIZE")); ErrorCode(err) != ECOMPLETIONBLOCKED || o.Status != OrderFulfilling {
		t.Fatalf("finalize after conflict: %v (order %s)", err, o.Status)
	}
}

func TestApplyAssetImpactRejections(t *testing.T) {
	closed := bb
	closed.Status = AssetClosed
	foreign := bb
	foreign.TenantID = "tenant-b"
	o := ibOrder(t, ItemInput{LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: ActionDisconnect, TargetAssetID: "bb-1", ExpectedAssetVersion: 2})
	cases := []struct {
		name string
		rec  *AssetRecord
		code string
	}{
		{"missing", nil, ENOTFOUND},
		{"closed", record(closed), ECONFLICT},
		{"other tenant", record(foreign), ENOTFOUND},
	}
	for _, c := range cases {
		if _, err := ApplyAssetImpact(o, o.Items[0], c.rec, t0); ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	add := ibOrder(t, bundleAdd(1))
	if _, err := ApplyAssetImpact(add, add.Items[0], record(bb), t0); ErrorCode(err) != ECONFLICT {
		t.Errorf("ADD over a foreign asset: %v", err)
	}
}

func TestInstalledBaseEvent(t *testing.T) {
	o := ibOrder(t, bundleAdd(1))
	imp, err := ApplyAssetImpact(o, o.Items[0], nil, t0)
	must(t, err)
	a, e := InstalledBaseEvent(o, imp, testCause("APPLY"))
	if e.EventType != EventInstalledBaseUpdated || e.AggregateID != imp.Asset.ID || e.Payload["action"] != "ADD" ||
		a.StateBefore != "" || a.StateAfter != "v1 ACTIVE" || a.OrderID != o.ID {
		t.Fatalf("audit %+v event %+v", a, e)
	}
}
