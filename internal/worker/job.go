package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/entities"
)

// Job is an activated job as a handler sees it. Variables are read with Decode; handlers take ids
// from them and load the truth from PostgreSQL, never trusting variables as state.
type Job struct {
	Key                int64
	Type               string
	ProcessInstanceKey int64
	BPMNProcessID      string
	ElementID          string
	Retries            int32
	Deadline           time.Time
	Headers            map[string]string
	variables          []byte
}

// Decode unmarshals the job's variables into v. A malformed payload is bad data: no retry fixes it.
func (j *Job) Decode(v any) error {
	if err := json.Unmarshal(j.variables, v); err != nil {
		return BadDataRunbookf(RunbookSerializationFailure, "job %d (%s): variables do not decode: %v", j.Key, j.Type, err)
	}
	return nil
}

// newJob wraps an activated job. Its deadline is counted on this machine's clock from activation:
// the engine's own deadline uses the engine clock, which tests move forward and which may drift.
func newJob(e entities.Job, timeout time.Duration) (*Job, error) {
	headers, err := e.GetCustomHeadersAsMap()
	if err != nil {
		headers = map[string]string{}
	}
	return &Job{
		Key:                e.GetKey(),
		Type:               e.GetType(),
		ProcessInstanceKey: e.GetProcessInstanceKey(),
		BPMNProcessID:      e.GetBpmnProcessId(),
		ElementID:          e.GetElementId(),
		Retries:            e.GetRetries(),
		Deadline:           time.Now().Add(timeout),
		Headers:            headers,
		variables:          []byte(e.GetVariables()),
	}, nil
}

// Result is what a successful handler returns: the variables to set (ids and routing flags only).
type Result struct {
	Variables map[string]any
	// Park leaves the job activated without completing it, for work another party finishes later
	// by job key (a person's decision on a user task). The job's timeout bounds the wait.
	Park bool
}

// Handler runs one job. It must be idempotent: the engine delivers a job at least once.
type Handler func(ctx context.Context, job *Job) (Result, error)

// Registration binds a handler to a job type.
type Registration struct {
	JobType string
	Handler Handler
	// FetchVariables limits the variables fetched with the job; empty fetches all.
	FetchVariables []string
	// JobTimeout overrides the harness job timeout for this type (user tasks wait for people).
	JobTimeout time.Duration
}

// idVariables are the variables the harness reads for logs: the seed's log fields.
type idVariables struct {
	TenantID          string `json:"tenantId"`
	CorrelationID     string `json:"correlationId"`
	OrderID           string `json:"orderId"`
	FulfillmentPlanID string `json:"fulfillmentPlanId"`
	ExecutionID       string `json:"executionId"`
	CurrentTaskID     string `json:"currentTaskId"`
}

func (j *Job) ids() idVariables {
	var ids idVariables
	_ = json.Unmarshal(j.variables, &ids) // best effort: logging must not fail a job
	return ids
}

func (j *Job) String() string { return fmt.Sprintf("%s/%d", j.Type, j.Key) }
