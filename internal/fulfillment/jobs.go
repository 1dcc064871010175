package fulfillment

import (
	"context"
	"fmt"
	"regexp"

	"github.com/orderfleet/orderfleet/internal/worker"
)

// Job types, as seed 001 §23 names them.
const (
	JobLoadFulfillmentPlan = "load-fulfillment-plan"
	JobExecuteTask         = "execute-fulfillment-task"
	JobFinalizeFulfillment = "finalize-order-fulfillment"
)

// planVariables are the ids every fulfillment job carries; nothing else is read from the instance.
type planVariables struct {
	SchemaVersion     int    `json:"schemaVersion"`
	TenantID          string `json:"tenantId"`
	OrderID           string `json:"orderId"`
	FulfillmentPlanID string `json:"fulfillmentPlanId"`
	CorrelationID     string `json:"correlationId"`
	CurrentTaskID     string `json:"currentTaskId"`
}

var planVariableNames = []string{"schemaVersion", "tenantId", "orderId", "fulfillmentPlanId", "correlationId"}

// supportedSchemaVersion is the variable contract this fleet understands.
const supportedSchemaVersion = 1

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// decodePlanRef reads and checks the ids. Malformed ids are bad data: an incident, not a retry loop.
func decodePlanRef(job *worker.Job, needTask bool) (PlanRef, string, error) {
	var v planVariables
	if err := job.Decode(&v); err != nil {
		return PlanRef{}, "", err
	}
	if v.SchemaVersion != supportedSchemaVersion {
		return PlanRef{}, "", worker.BadDataf("schemaVersion %d is not supported (want %d)", v.SchemaVersion, supportedSchemaVersion)
	}
	if v.TenantID == "" {
		return PlanRef{}, "", worker.BadDataf("variable tenantId is missing")
	}
	ids := map[string]string{"orderId": v.OrderID, "fulfillmentPlanId": v.FulfillmentPlanID}
	if needTask {
		ids["currentTaskId"] = v.CurrentTaskID
	}
	for name, id := range ids {
		if !uuidPattern.MatchString(id) {
			return PlanRef{}, "", worker.BadDataf("variable %s = %q is not a UUID", name, id)
		}
	}
	return PlanRef{TenantID: v.TenantID, OrderID: v.OrderID, FulfillmentPlanID: v.FulfillmentPlanID, CorrelationID: v.CorrelationID}, v.CurrentTaskID, nil
}

// Registrations binds the service's commands to their job types.
func (s *Service) Registrations() []worker.Registration {
	return []worker.Registration{
		{JobType: JobLoadFulfillmentPlan, Handler: s.handleLoadPlan, FetchVariables: planVariableNames},
		{JobType: JobExecuteTask, Handler: s.handleExecuteTask, FetchVariables: append(planVariableNames, "currentTaskId")},
		{JobType: JobFinalizeFulfillment, Handler: s.handleFinalize, FetchVariables: planVariableNames},
	}
}

func (s *Service) handleLoadPlan(ctx context.Context, job *worker.Job) (worker.Result, error) {
	ref, _, err := decodePlanRef(job, false)
	if err != nil {
		return worker.Result{}, err
	}
	res, err := s.LoadForWorkflow(ctx, ref, fmt.Sprint(job.ProcessInstanceKey), job.Type)
	if err != nil {
		return worker.Result{}, err
	}
	return worker.Result{Variables: map[string]any{
		"planValid":            res.PlanValid,
		"duplicateInstance":    res.DuplicateInstance,
		"executionId":          res.ExecutionID,
		"orderVersion":         res.OrderVersion,
		"readyTaskIds":         res.ReadyTaskIDs,
		"moreReadyTasks":       res.MoreReadyTasks,
		"allRequiredTasksDone": res.AllRequiredTasksDone,
		"planStuck":            res.Stuck,
		"falloutReason":        nullable(res.FalloutReason),
	}}, nil
}

func (s *Service) handleExecuteTask(ctx context.Context, job *worker.Job) (worker.Result, error) {
	ref, taskID, err := decodePlanRef(job, true)
	if err != nil {
		return worker.Result{}, err
	}
	res, err := s.ExecuteTask(ctx, ref, taskID, job.Type)
	if err != nil {
		return worker.Result{}, err
	}
	// Nothing is returned to the instance: parallel task branches would overwrite each other's
	// variables, and the next plan read reports what changed.
	_ = res
	return worker.Result{}, nil
}

func (s *Service) handleFinalize(ctx context.Context, job *worker.Job) (worker.Result, error) {
	ref, _, err := decodePlanRef(job, false)
	if err != nil {
		return worker.Result{}, err
	}
	res, err := s.Finalize(ctx, ref, job.Type)
	if err != nil {
		return worker.Result{}, err
	}
	return worker.Result{Variables: map[string]any{"orderStatus": string(res.OrderStatus)}}, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
