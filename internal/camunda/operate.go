package camunda

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ProcessInstance is Operate's view of one instance.
type ProcessInstance struct {
	Key           int64  `json:"key"`
	BPMNProcessID string `json:"bpmnProcessId"`
	Version       int32  `json:"processVersion"`
	State         string `json:"state"`    // ACTIVE, COMPLETED, CANCELED, INCIDENT
	Incident      bool   `json:"incident"` // an ACTIVE instance with an open incident
	StartDate     string `json:"startDate"`
	EndDate       string `json:"endDate"`
}

// FlowNodeInstance is one element visit of an instance, as Operate recorded it.
type FlowNodeInstance struct {
	Key        int64  `json:"key"`
	FlowNodeID string `json:"flowNodeId"`
	Type       string `json:"type"`
	State      string `json:"state"`
	Incident   bool   `json:"incident"`
	StartDate  string `json:"startDate"`
	EndDate    string `json:"endDate"`
}

// Operate reads instances through Operate's v1 API.
type Operate struct{ session *Session }

// NewOperate returns an Operate API client over a logged-in session.
func NewOperate(s *Session) *Operate { return &Operate{session: s} }

// ErrNotVisible is returned when Operate has not imported the instance (yet).
var ErrNotVisible = errors.New("instance not visible in Operate")

// ProcessInstance reads one instance by key.
func (o *Operate) ProcessInstance(ctx context.Context, key int64) (ProcessInstance, error) {
	var pi ProcessInstance
	err := o.session.Do(ctx, "GET", fmt.Sprintf("/v1/process-instances/%d", key), nil, &pi)
	var se *StatusError
	if errors.As(err, &se) && se.Status == 404 {
		return pi, ErrNotVisible
	}
	return pi, err
}

// FlowNodeInstances lists the element visits of an instance (up to 1,000), oldest first.
func (o *Operate) FlowNodeInstances(ctx context.Context, processInstanceKey int64) ([]FlowNodeInstance, error) {
	var page struct {
		Items []FlowNodeInstance `json:"items"`
	}
	req := map[string]any{
		"filter": map[string]any{"processInstanceKey": processInstanceKey},
		"size":   1000,
		"sort":   []map[string]string{{"field": "startDate", "order": "ASC"}},
	}
	err := o.session.Do(ctx, "POST", "/v1/flownode-instances/search", req, &page)
	return page.Items, err
}

// WaitForState polls until Operate reports the instance in the wanted state or ctx ends.
// Operate imports from the exporter a few seconds behind the engine, so a deadline is expected.
func (o *Operate) WaitForState(ctx context.Context, key int64, want string) (ProcessInstance, error) {
	var last ProcessInstance
	var lastErr error
	for {
		pi, err := o.ProcessInstance(ctx, key)
		if err == nil && pi.State == want {
			return pi, nil
		}
		if err == nil {
			last = pi
		}
		lastErr = err
		select {
		case <-ctx.Done():
			if lastErr != nil && !errors.Is(lastErr, ErrNotVisible) {
				return last, fmt.Errorf("instance %d: %w", key, lastErr)
			}
			return last, fmt.Errorf("instance %d: state %q after waiting, want %q", key, last.State, want)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// WaitForFlowNode polls until Operate shows the instance visited the element (e.g. an end event).
// Operate imports flow nodes separately from the instance, so they can trail its state.
func (o *Operate) WaitForFlowNode(ctx context.Context, key int64, flowNodeID string) ([]FlowNodeInstance, error) {
	for {
		nodes, err := o.FlowNodeInstances(ctx, key)
		if err == nil {
			for _, n := range nodes {
				if n.FlowNodeID == flowNodeID {
					return nodes, nil
				}
			}
		}
		select {
		case <-ctx.Done():
			ids := make([]string, len(nodes))
			for i, n := range nodes {
				ids[i] = n.FlowNodeID
			}
			return nodes, fmt.Errorf("instance %d: Operate shows no %s after waiting (visited %v, last error %v)", key, flowNodeID, ids, err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}
