package domain

import (
	"fmt"
	"slices"
)

// ParentActiveTaskType is the task after which a parent is active in the
// installed base; an add-on ordered with its parent waits for it (seed 001
// §18: "add-on feature: after parent service active").
const ParentActiveTaskType = TaskUpdateInstalledBase

// ValidateOrder checks every line against the catalog: known product, a
// decomposition for the action, required attributes, and a suitable parent
// for add-ons.
func (c *Catalog) ValidateOrder(o *Order) error {
	byID := map[string]OrderItem{}
	for _, it := range o.Items {
		byID[it.ID] = it
	}
	for _, it := range o.Items {
		if err := it.validateShape(); err != nil {
			return err
		}
		p, err := c.Product(it.ProductCode)
		if err != nil {
			return Errorf(EINVALID, "line %d: %s", it.LineNo, ErrorMessage(err))
		}
		if len(p.Templates[it.Action]) == 0 {
			return Errorf(EINVALID, "line %d: product %s does not support %s", it.LineNo, p.Code, it.Action)
		}
		for _, attr := range p.RequiredAttributes[it.Action] {
			if it.Attributes[attr] == "" {
				return Errorf(EINVALID, "line %d: %s %s needs attribute %q", it.LineNo, p.Code, it.Action, attr)
			}
		}
		if !p.IsAddOn() || it.Action != ActionAdd {
			continue
		}
		switch {
		case it.ParentItemID != "":
			parent, ok := byID[it.ParentItemID]
			if !ok || parent.Action != ActionAdd || !slices.Contains(p.ParentProducts, parent.ProductCode) {
				return Errorf(EPARENTNOTACTIVE, "line %d: add-on %s needs a parent line that adds one of %v", it.LineNo, p.Code, p.ParentProducts)
			}
		case it.ParentAssetID == "":
			return Errorf(EINVALID, "line %d: add-on %s needs a parent line or parent asset", it.LineNo, p.Code)
		}
	}
	return nil
}

// Decompose turns a VALIDATED order into a fulfilment plan. It reads the
// installed base through assets and takes ids from ids in a fixed order
// (plan, then tasks line by line, template by template), so the same inputs
// give the same plan.
func (c *Catalog) Decompose(o *Order, assets AssetLookup, ids IDGenerator, cause Cause) (*Plan, error) {
	if o.Status != OrderValidated {
		return nil, Errorf(EINVALIDTRANSITION, "order %s is %s; only a VALIDATED order is decomposed", o.ID, o.Status)
	}
	if err := c.ValidateOrder(o); err != nil {
		return nil, err
	}
	planID := ids.NewID()
	var tasks []*Task
	byItemKey := map[string]map[string]*Task{} // item id -> template key -> task
	for _, it := range o.Items {
		p, _ := c.Product(it.ProductCode)
		if err := c.checkInstalledBase(o, it, p, assets); err != nil {
			return nil, err
		}
		keyed := map[string]*Task{}
		byItemKey[it.ID] = keyed
		for _, tpl := range p.Templates[it.Action] {
			t, err := newTaskFromTemplate(ids.NewID(), o, it, tpl)
			if err != nil {
				return nil, err
			}
			keyed[tpl.Key] = t
			tasks = append(tasks, t)
		}
		for _, tpl := range p.Templates[it.Action] {
			t := keyed[tpl.Key]
			for _, dk := range tpl.DependsOn {
				t.DependsOn = append(t.DependsOn, keyed[dk].ID)
			}
		}
	}
	// Add-ons ordered together with their parent start once the parent is active.
	for _, it := range o.Items {
		if it.ParentItemID == "" || it.Action != ActionAdd {
			continue
		}
		var gate []string
		for _, pt := range byItemKey[it.ParentItemID] {
			if pt.Type == ParentActiveTaskType {
				gate = append(gate, pt.ID)
			}
		}
		slices.Sort(gate)
		for _, t := range byItemKey[it.ID] {
			if len(t.DependsOn) == 0 {
				t.DependsOn = append(t.DependsOn, gate...)
			}
		}
	}
	plan, err := NewPlan(planID, o.TenantID, o.ID, o.CompletionPolicy, tasks, cause)
	if err != nil {
		return nil, err
	}
	plan.CatalogVersion = c.Version
	return plan, nil
}

// checkInstalledBase verifies the assets a line depends on: the target of a
// MODIFY/DISCONNECT/MOVE must be active, of the same product and still at
// the version the customer saw; an add-on's installed parent must be active.
func (c *Catalog) checkInstalledBase(o *Order, it OrderItem, p Product, assets AssetLookup) error {
	if it.needsExistingAsset() {
		a, ok, err := assets.LookupAsset(o.TenantID, it.TargetAssetID)
		if err != nil {
			return err
		}
		switch {
		case !ok:
			return Errorf(ENOTFOUND, "line %d: asset %s is not in the installed base", it.LineNo, it.TargetAssetID)
		case a.ProductCode != it.ProductCode:
			return Errorf(EINVALID, "line %d: asset %s is a %s, not a %s", it.LineNo, a.ID, a.ProductCode, it.ProductCode)
		case a.Status != AssetActive:
			return Errorf(ECONFLICT, "line %d: asset %s is %s", it.LineNo, a.ID, a.Status)
		case a.Version != it.ExpectedAssetVersion:
			return &Error{Code: EVERSIONCONFLICT, Refs: []string{a.ID, it.ID}, Message: fmt.Sprintf(
				"line %d: asset %s is at version %d, the order expected %d", it.LineNo, a.ID, a.Version, it.ExpectedAssetVersion)}
		}
	}
	if p.IsAddOn() && it.Action == ActionAdd && it.ParentAssetID != "" {
		a, ok, err := assets.LookupAsset(o.TenantID, it.ParentAssetID)
		if err != nil {
			return err
		}
		if !ok || a.Status != AssetActive || !slices.Contains(p.ParentProducts, a.ProductCode) {
			return &Error{Code: EPARENTNOTACTIVE, Refs: []string{it.ParentAssetID}, Message: fmt.Sprintf(
				"line %d: add-on %s needs an active %v parent; asset %s is not one", it.LineNo, p.Code, p.ParentProducts, it.ParentAssetID)}
		}
	}
	return nil
}

func newTaskFromTemplate(id string, o *Order, it OrderItem, tpl TaskTemplate) (*Task, error) {
	input := TaskInput(o, it, tpl)
	hash, err := SnapshotHash(input)
	if err != nil {
		return nil, err
	}
	return &Task{
		ID: id, OrderItemID: it.ID, Key: tpl.Key, Component: tpl.Component, Type: tpl.Type,
		OwnerSystem: tpl.OwnerSystem, Mode: tpl.Mode, Status: TaskPending, Optional: tpl.Optional,
		Input: input, InputSnapshotHash: hash, Retry: tpl.Retry, Timeout: tpl.Timeout, Compensation: tpl.Compensation,
	}, nil
}

// TaskInput is the snapshot a task executes against: the line's facts plus
// what the template says to do. Task ids are left out so the hash depends
// on the input only.
func TaskInput(o *Order, it OrderItem, tpl TaskTemplate) map[string]any {
	in := map[string]any{
		"tenantId":    o.TenantID,
		"orderId":     o.ID,
		"customerId":  o.CustomerID,
		"orderItemId": it.ID,
		"lineNo":      it.LineNo,
		"productCode": it.ProductCode,
		"action":      string(it.Action),
		"quantity":    it.Quantity,
		"component":   tpl.Component,
		"taskKey":     tpl.Key,
		"taskType":    string(tpl.Type),
		"attributes":  copyAttributes(it.Attributes),
	}
	optional := map[string]string{
		"targetAssetId": it.TargetAssetID, "parentAssetId": it.ParentAssetID,
		"parentItemId": it.ParentItemID, "location": it.Location,
	}
	for k, v := range optional {
		if v != "" {
			in[k] = v
		}
	}
	if it.needsExistingAsset() {
		in["expectedAssetVersion"] = it.ExpectedAssetVersion
	}
	return in
}
