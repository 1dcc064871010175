package postgres_test

import (
	"context"
	"testing"

	"github.com/orderfleet/orderfleet/internal/domain"
)

func TestInstalledBaseApply(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	add, _ := created(t, s)
	item := add.Items[0]
	imp, err := s.ApplyAssetImpact(ctx, tenant, add.ID, item.ID, cause("APPLY"))
	must(t, err)
	if !imp.Created || imp.Asset.ID != item.ID || imp.Asset.Version != 1 {
		t.Fatalf("add %+v", imp)
	}
	before := counts(t, pool)
	again, err := s.ApplyAssetImpact(ctx, tenant, add.ID, item.ID, cause("APPLY_RETRY"))
	must(t, err)
	if !again.Duplicate {
		t.Fatalf("second apply %+v", again)
	}
	assertCounts(t, pool, before)

	// Two MODIFY orders decomposed against version 1; the second to apply loses.
	speed := func(mbps string) domain.ItemInput {
		return domain.ItemInput{LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: domain.ActionModify,
			TargetAssetID: item.ID, ExpectedAssetVersion: 1, Attributes: map[string]string{"downloadMbps": mbps}}
	}
	first, _ := created(t, s, speed("1000"))
	second, _ := created(t, s, speed("2000"))
	imp, err = s.ApplyAssetImpact(ctx, tenant, first.ID, first.Items[0].ID, cause("APPLY"))
	must(t, err)
	if imp.Asset.Version != 2 || imp.Asset.Attributes["downloadMbps"] != "1000" {
		t.Fatalf("modify %+v", imp.Asset)
	}
	before = counts(t, pool)
	_, err = s.ApplyAssetImpact(ctx, tenant, second.ID, second.Items[0].ID, cause("APPLY"))
	if domain.ErrorCode(err) != domain.EVERSIONCONFLICT {
		t.Fatalf("stale modify: %v", err)
	}
	assertCounts(t, pool, before)

	var version int64
	var mbps string
	must(t, pool.QueryRow(ctx, "select version, attributes->>'downloadMbps' from installed_base_asset where id = $1", item.ID).Scan(&version, &mbps))
	if version != 2 || mbps != "1000" {
		t.Fatalf("asset v%d %s", version, mbps)
	}
	var updates int
	must(t, pool.QueryRow(ctx, "select count(*) from outbox_event where event_type = 'InstalledBaseUpdated'").Scan(&updates))
	if updates != 2 {
		t.Fatalf("InstalledBaseUpdated events %d", updates)
	}
	// The store's lookup now sees the asset at version 2: a new MODIFY at 1 is refused at decomposition.
	ids := domain.RandomIDs()
	late, err := domain.NewOrder(domain.NewOrderInput{TenantID: tenant, CustomerID: "cust-1", Items: []domain.ItemInput{speed("3000")}}, ids, cause("C"))
	must(t, err)
	if _, _, err := domain.PrepareFulfillment(late, catalog(t), s.AssetLookup(ctx), ids, cause("P")); domain.ErrorCode(err) != domain.EVERSIONCONFLICT {
		t.Fatalf("decomposition against stale version: %v", err)
	}
}
