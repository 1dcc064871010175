package engineapi

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// ElementInstance is one visit of a BPMN element, as POST /v2/element-instances/search lists it.
type ElementInstance struct {
	Key                Key    `json:"elementInstanceKey"`
	ProcessInstanceKey Key    `json:"processInstanceKey"`
	ElementID          string `json:"elementId"`
	ElementName        string `json:"elementName,omitempty"`
	Type               string `json:"type"`  // SERVICE_TASK, END_EVENT, …
	State              string `json:"state"` // ACTIVE, COMPLETED, TERMINATED
	HasIncident        bool   `json:"hasIncident"`
	IncidentKey        Key    `json:"incidentKey,omitempty"`
	StartDate          string `json:"startDate"`
	EndDate            string `json:"endDate,omitempty"`
}

// ElementInstances lists every element visit of an instance, oldest first (keys grow with time).
func (c *Client) ElementInstances(ctx context.Context, processInstanceKey int64) ([]ElementInstance, error) {
	return c.elementInstances(ctx, map[string]any{"processInstanceKey": fmt.Sprint(processInstanceKey)})
}

// ActiveElements lists the ids of the elements an instance is in right now (a wait state, a job,
// a subprocess), so an operator reading a finding sees where the instance waits.
func (c *Client) ActiveElements(ctx context.Context, processInstanceKey int64) ([]string, error) {
	items, err := c.elementInstances(ctx, map[string]any{"processInstanceKey": fmt.Sprint(processInstanceKey), "state": StateActive})
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(items))
	for _, e := range items {
		ids = append(ids, e.ElementID)
	}
	return ids, nil
}

func (c *Client) elementInstances(ctx context.Context, filter map[string]any) ([]ElementInstance, error) {
	items, err := search[ElementInstance](ctx, c, "/v2/element-instances/search", filter)
	if err != nil {
		return nil, fmt.Errorf("search element instances: %w", err)
	}
	slices.SortFunc(items, func(a, b ElementInstance) int { return cmp.Compare(a.Key, b.Key) })
	return items, nil
}

// WaitForElement polls until the instance has visited the element (e.g. an end event) and returns
// all its element instances at that moment.
func (c *Client) WaitForElement(ctx context.Context, processInstanceKey int64, elementID string) ([]ElementInstance, error) {
	for {
		items, err := c.ElementInstances(ctx, processInstanceKey)
		if err == nil && Visited(items, elementID) {
			return items, nil
		}
		select {
		case <-ctx.Done():
			return items, fmt.Errorf("instance %d: the engine shows no %s after waiting (visited %v, last error %v)",
				processInstanceKey, elementID, ElementIDs(items), err)
		case <-time.After(pollInterval):
		}
	}
}

// Visited reports whether any of the element instances is of the element id.
func Visited(items []ElementInstance, elementID string) bool {
	return slices.ContainsFunc(items, func(e ElementInstance) bool { return e.ElementID == elementID })
}

// ElementIDs lists the element ids of the element instances, in their order.
func ElementIDs(items []ElementInstance) []string {
	ids := make([]string, len(items))
	for i, e := range items {
		ids[i] = e.ElementID
	}
	return ids
}
