package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// AssetRecord loads an asset with its version history, or nil if absent.
func (t *Tx) AssetRecord(tenantID, id string) (*domain.AssetRecord, error) {
	var a domain.Asset
	var loc, parent *string
	err := t.tx.QueryRow(t.ctx, `
		select id, tenant_id, customer_id, product_code, status, location, parent_asset_id::text, attributes, version,
		       created_at, updated_at
		from installed_base_asset where tenant_id = $1 and id = $2`, tenantID, id).Scan(
		&a.ID, &a.TenantID, &a.CustomerID, &a.ProductCode, &a.Status, &loc, &parent, &a.Attributes, &a.Version,
		&a.CreatedAt, &a.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, mapError("load asset "+id, err)
	}
	a.Location, a.ParentAssetID, a.CreatedAt, a.UpdatedAt = str(loc), str(parent), a.CreatedAt.UTC(), a.UpdatedAt.UTC()
	rows, err := t.tx.Query(t.ctx, `
		select asset_id, version, order_id, order_item_id, action, status, location, attributes, created_at
		from installed_base_asset_version where tenant_id = $1 and asset_id = $2 order by version`, tenantID, id)
	if err != nil {
		return nil, mapError("load asset versions", err)
	}
	versions, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (domain.AssetVersion, error) {
		var v domain.AssetVersion
		var loc *string
		err := r.Scan(&v.AssetID, &v.Version, &v.OrderID, &v.OrderItemID, &v.Action, &v.Status, &loc, &v.Attributes, &v.CreatedAt)
		v.Location, v.CreatedAt = str(loc), v.CreatedAt.UTC()
		return v, err
	})
	if err != nil {
		return nil, mapError("load asset versions", err)
	}
	return &domain.AssetRecord{Asset: a, Versions: versions}, nil
}

// ApplyAssetImpact applies one order line to the installed base: it loads
// the asset the line acts on, lets the domain decide, and writes the asset
// (guarded by its version), the version row, audit and InstalledBaseUpdated.
// A duplicate apply writes nothing. A version_conflict must stop
// finalisation: the caller fails the task and opens fallout in a new Tx.
func (t *Tx) ApplyAssetImpact(tenantID, orderID, itemID string, cause domain.Cause) (domain.AssetImpact, error) {
	o, err := t.Order(tenantID, orderID)
	if err != nil {
		return domain.AssetImpact{}, err
	}
	item, err := o.Item(itemID)
	if err != nil {
		return domain.AssetImpact{}, err
	}
	rec, err := t.AssetRecord(tenantID, domain.AssetIDForItem(item))
	if err != nil {
		return domain.AssetImpact{}, err
	}
	at := cause.At
	if at.IsZero() {
		at = time.Now().UTC()
	}
	imp, err := domain.ApplyAssetImpact(o, item, rec, at)
	if err != nil || imp.Duplicate {
		return imp, err
	}
	a := imp.Asset
	if imp.Created {
		_, err = t.tx.Exec(t.ctx, `
			insert into installed_base_asset (id, tenant_id, customer_id, product_code, status, location, parent_asset_id,
			    attributes, version, created_at, updated_at)
			values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			a.ID, a.TenantID, a.CustomerID, a.ProductCode, a.Status, nullString(a.Location), nullString(a.ParentAssetID),
			attrs(a.Attributes), a.Version, a.CreatedAt, a.UpdatedAt)
		if err != nil {
			return imp, mapError("insert asset", err)
		}
	} else {
		tag, err := t.tx.Exec(t.ctx, `
			update installed_base_asset set status = $4, location = $5, attributes = $6, version = $7, updated_at = $8
			where tenant_id = $1 and id = $2 and version = $3`,
			a.TenantID, a.ID, a.Version-1, a.Status, nullString(a.Location), attrs(a.Attributes), a.Version, a.UpdatedAt)
		if err != nil {
			return imp, mapError("update asset", err)
		}
		if tag.RowsAffected() == 0 {
			return imp, versionConflict("asset", a.ID, a.Version-1)
		}
	}
	v := imp.Version
	_, err = t.tx.Exec(t.ctx, `
		insert into installed_base_asset_version (id, tenant_id, asset_id, version, order_id, order_item_id, action,
		    status, location, attributes, created_at)
		values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		t.store.newID(), tenantID, v.AssetID, v.Version, v.OrderID, v.OrderItemID, v.Action, v.Status,
		nullString(v.Location), attrs(v.Attributes), v.CreatedAt)
	if err != nil {
		return imp, mapError("insert asset version", err)
	}
	audit, event := domain.InstalledBaseEvent(o, imp, cause)
	t.Record([]domain.AuditEntry{audit}, []domain.Event{event})
	return imp, nil
}

// ApplyAssetImpact is Tx.ApplyAssetImpact in its own transaction.
func (s *Store) ApplyAssetImpact(ctx context.Context, tenantID, orderID, itemID string, cause domain.Cause) (domain.AssetImpact, error) {
	var imp domain.AssetImpact
	err := s.Do(ctx, func(tx *Tx) (err error) {
		imp, err = tx.ApplyAssetImpact(tenantID, orderID, itemID, cause)
		return err
	})
	return imp, err
}

// AssetLookup adapts the store to the domain's installed-base lookup for
// decomposition, bound to ctx.
func (s *Store) AssetLookup(ctx context.Context) domain.AssetLookup {
	return domain.AssetLookupFunc(func(tenantID, id string) (domain.Asset, bool, error) {
		var rec *domain.AssetRecord
		err := s.Do(ctx, func(tx *Tx) (err error) {
			rec, err = tx.AssetRecord(tenantID, id)
			return err
		})
		if err != nil || rec == nil {
			return domain.Asset{}, false, err
		}
		return rec.Asset, true, nil
	})
}
