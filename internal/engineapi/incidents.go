package engineapi

import (
	"context"
	"fmt"
)

// Incident states of the v2 API.
const (
	IncidentActive   = "ACTIVE"
	IncidentResolved = "RESOLVED"
)

// Incident is one incident as POST /v2/incidents/search lists it.
type Incident struct {
	Key                 Key    `json:"incidentKey"`
	ProcessInstanceKey  Key    `json:"processInstanceKey"`
	ProcessDefinitionID string `json:"processDefinitionId"`
	ElementID           string `json:"elementId"`
	ElementInstanceKey  Key    `json:"elementInstanceKey"`
	ErrorType           string `json:"errorType"` // JOB_NO_RETRIES, UNHANDLED_ERROR_EVENT, IO_MAPPING_ERROR, …
	ErrorMessage        string `json:"errorMessage"`
	State               string `json:"state"` // ACTIVE, RESOLVED
	CreationTime        string `json:"creationTime"`
	JobKey              Key    `json:"jobKey,omitempty"`
}

// IncidentFilter narrows an incident search; zero fields do not filter.
type IncidentFilter struct {
	ProcessInstanceKeys []int64
	State               string // ACTIVE or RESOLVED
	ErrorType           string
}

// Incidents lists the incidents that match the filter, oldest first.
func (c *Client) Incidents(ctx context.Context, f IncidentFilter) ([]Incident, error) {
	filter := map[string]any{}
	switch len(f.ProcessInstanceKeys) {
	case 0:
	case 1:
		filter["processInstanceKey"] = fmt.Sprint(f.ProcessInstanceKeys[0])
	default:
		filter["processInstanceKey"] = keyIn(f.ProcessInstanceKeys)
	}
	if f.State != "" {
		filter["state"] = f.State
	}
	if f.ErrorType != "" {
		filter["errorType"] = f.ErrorType
	}
	items, err := search[Incident](ctx, c, "/v2/incidents/search", filter)
	if err != nil {
		return nil, fmt.Errorf("search incidents: %w", err)
	}
	return items, nil
}
