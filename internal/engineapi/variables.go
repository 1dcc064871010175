package engineapi

import (
	"context"
	"fmt"
)

// Variable is one variable of one scope, as POST /v2/variables/search lists it.
type Variable struct {
	Key                Key    `json:"variableKey"`
	Name               string `json:"name"`
	Value              string `json:"value"` // JSON text
	ProcessInstanceKey Key    `json:"processInstanceKey"`
	ScopeKey           Key    `json:"scopeKey"`
}

// Variables lists every variable of an instance, of every scope.
func (c *Client) Variables(ctx context.Context, processInstanceKey int64) ([]Variable, error) {
	items, err := search[Variable](ctx, c, "/v2/variables/search",
		map[string]any{"processInstanceKey": fmt.Sprint(processInstanceKey)})
	if err != nil {
		return nil, fmt.Errorf("search variables of instance %d: %w", processInstanceKey, err)
	}
	return items, nil
}
