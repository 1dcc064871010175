package domain

import (
	"fmt"
	"time"
)

// AssetStatus is the state of a product instance in the installed base.
type AssetStatus string

const (
	AssetActive AssetStatus = "ACTIVE"
	AssetClosed AssetStatus = "CLOSED"
)

// Asset is a product instance the customer owns: the installed base the
// next order will be decomposed against. Version counts asset versions and
// doubles as the optimistic lock.
type Asset struct {
	ID            string
	TenantID      string
	CustomerID    string
	ProductCode   string
	Status        AssetStatus
	Location      string
	ParentAssetID string
	Attributes    map[string]string
	Version       int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// AssetVersion is one immutable step in an asset's history, tied to the
// order line that caused it; that tie is what makes re-applying a no-op.
type AssetVersion struct {
	AssetID     string
	Version     int64
	OrderID     string
	OrderItemID string
	Action      ItemAction
	Status      AssetStatus
	Location    string
	Attributes  map[string]string
	CreatedAt   time.Time
}

// AssetRecord is an asset with its history, as the repository loads it.
type AssetRecord struct {
	Asset    Asset
	Versions []AssetVersion
}

func (r *AssetRecord) appliedBy(itemID string) (AssetVersion, bool) {
	if r == nil {
		return AssetVersion{}, false
	}
	for _, v := range r.Versions {
		if v.OrderItemID == itemID {
			return v, true
		}
	}
	return AssetVersion{}, false
}

// AssetLookup reads the installed base during decomposition. It is an
// interface so the domain stays pure; the repository adapts to it.
type AssetLookup interface {
	LookupAsset(tenantID, assetID string) (Asset, bool, error)
}

// AssetLookupFunc adapts a function to AssetLookup.
type AssetLookupFunc func(tenantID, assetID string) (Asset, bool, error)

// LookupAsset implements AssetLookup.
func (f AssetLookupFunc) LookupAsset(tenantID, assetID string) (Asset, bool, error) {
	return f(tenantID, assetID)
}

// AssetImpact is the outcome of applying one order line.
type AssetImpact struct {
	Asset     Asset
	Version   AssetVersion
	Duplicate bool // the line was applied before; nothing to write
	Created   bool // ADD inserted a new asset
}

// AssetIDForItem is the id of the asset an order line acts on. An ADD's new
// asset takes the line's id, so a repeated ADD collides instead of creating
// a twin, and an add-on can name its parent before it exists.
func AssetIDForItem(it OrderItem) string {
	if it.Action == ActionAdd {
		return it.ID
	}
	return it.TargetAssetID
}

// ApplyAssetImpact computes the installed-base change of one order line
// (seed 001 §18). existing is the asset AssetIDForItem names, or nil. A
// line already applied is a no-op; an asset changed since the customer
// ordered is a version_conflict that must stop finalisation.
func ApplyAssetImpact(o *Order, it OrderItem, existing *AssetRecord, at time.Time) (AssetImpact, error) {
	if v, ok := existing.appliedBy(it.ID); ok {
		return AssetImpact{Asset: existing.Asset, Version: v, Duplicate: true}, nil
	}
	if it.Action == ActionAdd {
		if existing != nil {
			return AssetImpact{}, Errorf(ECONFLICT, "asset %s already exists but was not created by line %s", existing.Asset.ID, it.ID)
		}
		a := Asset{
			ID: AssetIDForItem(it), TenantID: o.TenantID, CustomerID: o.CustomerID, ProductCode: it.ProductCode,
			Status: AssetActive, Location: it.Location, ParentAssetID: parentAssetID(it),
			Attributes: copyAttributes(it.Attributes), Version: 1, CreatedAt: at, UpdatedAt: at,
		}
		return AssetImpact{Asset: a, Version: versionOf(a, o, it, at), Created: true}, nil
	}
	if existing == nil {
		return AssetImpact{}, Errorf(ENOTFOUND, "line %d: asset %s is not in the installed base", it.LineNo, it.TargetAssetID)
	}
	cur := existing.Asset
	if cur.TenantID != o.TenantID {
		return AssetImpact{}, Errorf(ENOTFOUND, "line %d: asset %s is not in the installed base", it.LineNo, it.TargetAssetID)
	}
	if cur.Version != it.ExpectedAssetVersion {
		return AssetImpact{}, &Error{
			Code: EVERSIONCONFLICT,
			Message: fmt.Sprintf("line %d: asset %s is at version %d, the order expected %d",
				it.LineNo, cur.ID, cur.Version, it.ExpectedAssetVersion),
			Refs: []string{cur.ID, it.ID},
		}
	}
	if cur.Status != AssetActive {
		return AssetImpact{}, Errorf(ECONFLICT, "line %d: asset %s is %s", it.LineNo, cur.ID, cur.Status)
	}
	next := cur
	next.Attributes = copyAttributes(cur.Attributes)
	next.Version = cur.Version + 1
	next.UpdatedAt = at
	switch it.Action {
	case ActionModify:
		for k, v := range it.Attributes {
			next.Attributes[k] = v
		}
	case ActionDisconnect:
		next.Status = AssetClosed
	case ActionMove:
		next.Location = it.Location
	}
	return AssetImpact{Asset: next, Version: versionOf(next, o, it, at)}, nil
}

func parentAssetID(it OrderItem) string {
	if it.ParentItemID != "" {
		return it.ParentItemID // the parent's ADD creates an asset with its line id
	}
	return it.ParentAssetID
}

func versionOf(a Asset, o *Order, it OrderItem, at time.Time) AssetVersion {
	return AssetVersion{
		AssetID: a.ID, Version: a.Version, OrderID: o.ID, OrderItemID: it.ID, Action: it.Action,
		Status: a.Status, Location: a.Location, Attributes: copyAttributes(a.Attributes), CreatedAt: at,
	}
}

// InstalledBaseEvent is the InstalledBaseUpdated event and audit entry for
// an applied impact; duplicates produce neither.
func InstalledBaseEvent(o *Order, imp AssetImpact, cause Cause) (AuditEntry, Event) {
	before := ""
	if !imp.Created {
		before = fmt.Sprintf("v%d", imp.Asset.Version-1)
	}
	a := newAudit(o.TenantID, o.ID, AggregateInstalledBase, imp.Asset.ID, AuditInstalledBase, before, fmt.Sprintf("v%d %s", imp.Asset.Version, imp.Asset.Status), cause)
	a.Details = map[string]string{"orderItemId": imp.Version.OrderItemID, "action": string(imp.Version.Action)}
	ev := newEvent(EventInstalledBaseUpdated, o.TenantID, AggregateInstalledBase, imp.Asset.ID, cause, map[string]any{
		"orderId": o.ID, "orderItemId": imp.Version.OrderItemID, "assetId": imp.Asset.ID,
		"productCode": imp.Asset.ProductCode, "action": string(imp.Version.Action),
		"assetVersion": imp.Asset.Version, "status": string(imp.Asset.Status), "location": imp.Asset.Location,
	})
	return a, ev
}
