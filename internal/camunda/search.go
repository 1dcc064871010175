package camunda

import (
	"context"
	"encoding/json"
)

// InstancesWithVariable lists the keys of the instances (up to 1,000) whose root scope holds the
// variable name with exactly the given value. It finds an order's instances from the engine's
// own records, including one whose key our tables never stored.
func (o *Operate) InstancesWithVariable(ctx context.Context, name string, value any) ([]int64, error) {
	encoded, err := json.Marshal(value) // Operate stores and matches variable values as JSON text
	if err != nil {
		return nil, err
	}
	var page struct {
		Items []struct {
			ProcessInstanceKey int64 `json:"processInstanceKey"`
			ScopeKey           int64 `json:"scopeKey"`
		} `json:"items"`
	}
	req := map[string]any{"filter": map[string]any{"name": name, "value": string(encoded)}, "size": 1000}
	if err := o.session.Do(ctx, "POST", "/v1/variables/search", req, &page); err != nil {
		return nil, err
	}
	var keys []int64
	for _, v := range page.Items {
		if v.ScopeKey == v.ProcessInstanceKey {
			keys = append(keys, v.ProcessInstanceKey)
		}
	}
	return keys, nil
}

// ActiveFlowNodes lists the ids of the elements an instance is in right now (a wait state, a job,
// a subprocess), so an operator reading a finding sees where the instance waits.
func (o *Operate) ActiveFlowNodes(ctx context.Context, processInstanceKey int64) ([]string, error) {
	var page struct {
		Items []FlowNodeInstance `json:"items"`
	}
	req := map[string]any{
		"filter": map[string]any{"processInstanceKey": processInstanceKey, "state": "ACTIVE"},
		"size":   100,
		"sort":   []map[string]string{{"field": "startDate", "order": "ASC"}},
	}
	if err := o.session.Do(ctx, "POST", "/v1/flownode-instances/search", req, &page); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(page.Items))
	for _, n := range page.Items {
		ids = append(ids, n.FlowNodeID)
	}
	return ids, nil
}
