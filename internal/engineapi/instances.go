package engineapi

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Process instance states of the v2 API.
const (
	StateActive     = "ACTIVE"
	StateCompleted  = "COMPLETED"
	StateTerminated = "TERMINATED"
)

// ProcessInstance is one instance as the read API (POST /v2/process-instances/search) lists it.
type ProcessInstance struct {
	Key                      Key    `json:"processInstanceKey"`
	ProcessDefinitionID      string `json:"processDefinitionId"`
	ProcessDefinitionKey     Key    `json:"processDefinitionKey"`
	ProcessDefinitionVersion int32  `json:"processDefinitionVersion"`
	State                    string `json:"state"` // ACTIVE, COMPLETED, TERMINATED
	HasIncident              bool   `json:"hasIncident"`
	StartDate                string `json:"startDate"`
	EndDate                  string `json:"endDate,omitempty"`
	ParentProcessInstanceKey Key    `json:"parentProcessInstanceKey,omitempty"`
}

// ProcessInstance reads one instance by key; ErrNotFound when the engine does not know it.
func (c *Client) ProcessInstance(ctx context.Context, key int64) (ProcessInstance, error) {
	var pi ProcessInstance
	err := c.do(ctx, "GET", fmt.Sprintf("/v2/process-instances/%d", key), nil, &pi)
	if isNotFound(err) {
		return pi, fmt.Errorf("instance %d: %w", key, ErrNotFound)
	}
	return pi, err
}

// ProcessInstancesByKeys reads many instances in one search, keyed by instance key. A key the
// engine does not know is absent from the map. The filter is Camunda 8.8's advanced key filter,
// {"processInstanceKey": {"$in": [...]}}, which the engine must accept.
func (c *Client) ProcessInstancesByKeys(ctx context.Context, keys []int64) (map[int64]ProcessInstance, error) {
	out := make(map[int64]ProcessInstance, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	items, err := search[ProcessInstance](ctx, c, "/v2/process-instances/search",
		map[string]any{"processInstanceKey": keyIn(keys)})
	if err != nil {
		return nil, fmt.Errorf("search %d process instances by key: %w", len(keys), err)
	}
	asked := make(map[int64]bool, len(keys))
	for _, k := range keys {
		asked[k] = true
	}
	for _, pi := range items {
		if asked[int64(pi.Key)] { // an engine that ignored the filter must not add strangers
			out[int64(pi.Key)] = pi
		}
	}
	return out, nil
}

// InstancesWithVariable lists the keys of the instances whose root scope holds the variable name
// with exactly this value. It finds an order's instances from the engine's own records, including
// one whose key our tables never stored.
func (c *Client) InstancesWithVariable(ctx context.Context, name string, value any) ([]int64, error) {
	byValue, err := c.InstancesWithVariableValues(ctx, name, []any{value})
	if err != nil {
		return nil, err
	}
	text, _ := JSONText(value)
	return byValue[text], nil
}

// InstancesWithVariableValues is InstancesWithVariable for many values in one search: the keys of
// the instances whose root-scope variable name holds each value, by the value's JSON text.
func (c *Client) InstancesWithVariableValues(ctx context.Context, name string, values []any) (map[string][]int64, error) {
	out := map[string][]int64{}
	if len(values) == 0 {
		return out, nil
	}
	texts := make([]string, len(values))
	for i, v := range values {
		text, err := JSONText(v)
		if err != nil {
			return nil, err
		}
		texts[i] = text
	}
	items, err := search[Variable](ctx, c, "/v2/variables/search",
		map[string]any{"name": name, "value": map[string]any{"$in": texts}})
	if err != nil {
		return nil, fmt.Errorf("search variable %s among %d values: %w", name, len(values), err)
	}
	for _, v := range items {
		if v.ScopeKey == v.ProcessInstanceKey { // root scope only: a local copy is not the order's id
			out[v.Value] = append(out[v.Value], int64(v.ProcessInstanceKey))
		}
	}
	return out, nil
}

// pollInterval is how often the Wait functions ask again. The engine answers from its own tables,
// with no import lag, so a short interval is cheap and keeps tests quick.
const pollInterval = 100 * time.Millisecond

// WaitForState polls until the instance is in the wanted state (ACTIVE, COMPLETED, TERMINATED)
// or ctx ends.
func (c *Client) WaitForState(ctx context.Context, key int64, want string) (ProcessInstance, error) {
	var last ProcessInstance
	var lastErr error
	for {
		pi, err := c.ProcessInstance(ctx, key)
		if err == nil && pi.State == want {
			return pi, nil
		}
		if err == nil {
			last = pi
		}
		lastErr = err
		select {
		case <-ctx.Done():
			if lastErr != nil && !errors.Is(lastErr, ErrNotFound) {
				return last, fmt.Errorf("instance %d: %w", key, lastErr)
			}
			return last, fmt.Errorf("instance %d: state %q after waiting, want %q", key, last.State, want)
		case <-time.After(pollInterval):
		}
	}
}
