package domain

// PrepareFulfillment runs the in-transaction part of seed 001 §6 on a
// CAPTURED or VALIDATED order: validate, decompose, attach the plan, move
// the order to FULFILLMENT_READY (which records OrderFulfillmentRequested)
// and build the workflow start request. The caller persists all of it in
// one transaction.
func PrepareFulfillment(o *Order, c *Catalog, assets AssetLookup, ids IDGenerator, cause Cause) (*Plan, WorkflowStartRequest, error) {
	if o.Status == OrderCaptured {
		if err := o.Validate(c, cause); err != nil {
			return nil, WorkflowStartRequest{}, err
		}
	}
	plan, err := c.Decompose(o, assets, ids, cause)
	if err != nil {
		return nil, WorkflowStartRequest{}, err
	}
	if err := o.AttachPlan(plan, cause); err != nil {
		return nil, WorkflowStartRequest{}, err
	}
	if err := o.Transition(OrderFulfillmentReady, cause); err != nil {
		return nil, WorkflowStartRequest{}, err
	}
	return plan, NewWorkflowStartRequest(ids.NewID(), plan, cause.at()), nil
}
