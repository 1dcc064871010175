package fulfillment

import (
	"context"
	"errors"
	"fmt"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/worker"
)

// Job types, as seed 001 §23 names them.
const (
	JobLoadFulfillmentPlan     = "load-fulfillment-plan"
	JobExecuteTask             = "execute-fulfillment-task"
	JobSubmitExternalTask      = "submit-external-task-request"
	JobApplyExternalResult     = "apply-external-task-result"
	JobApplyTimeout            = "apply-fulfillment-timeout"
	JobOpenFallout             = "open-fulfillment-fallout"
	JobStartCompensation       = "start-compensation"
	JobExecuteCompensationTask = "execute-compensation-task"
	JobApplyInstalledBase      = "apply-installed-base-impact"
	JobFinalizeFulfillment     = "finalize-order-fulfillment"
	// JobManualTask is the job the engine creates for a job-based user task (no zeebe:userTask).
	JobManualTask = "io.camunda.zeebe:userTask"
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

// withVariables is planVariableNames plus a job type's own inputs.
func withVariables(names ...string) []string {
	return append(append([]string(nil), planVariableNames...), names...)
}

// supportedSchemaVersion is the variable contract this fleet understands.
const supportedSchemaVersion = 1

// decodePlanRef reads and checks the ids. Malformed ids are bad data: an incident, not a retry loop.
func decodePlanRef(job *worker.Job, needTask bool) (PlanRef, string, error) {
	var v planVariables
	if err := job.Decode(&v); err != nil {
		return PlanRef{}, "", err
	}
	if v.SchemaVersion != supportedSchemaVersion {
		return PlanRef{}, "", worker.BadDataRunbookf(worker.RunbookSerializationFailure, "schemaVersion %d is not supported (want %d)", v.SchemaVersion, supportedSchemaVersion)
	}
	if v.TenantID == "" {
		return PlanRef{}, "", worker.BadDataRunbookf(worker.RunbookSerializationFailure, "variable tenantId is missing")
	}
	ids := map[string]string{"orderId": v.OrderID, "fulfillmentPlanId": v.FulfillmentPlanID}
	if needTask {
		ids["currentTaskId"] = v.CurrentTaskID
	}
	for name, id := range ids {
		if !domain.IsUUID(id) {
			return PlanRef{}, "", worker.BadDataRunbookf(worker.RunbookSerializationFailure, "variable %s = %q is not a UUID", name, id)
		}
	}
	return PlanRef{TenantID: v.TenantID, OrderID: v.OrderID, FulfillmentPlanID: v.FulfillmentPlanID, CorrelationID: v.CorrelationID}, v.CurrentTaskID, nil
}

// Registrations binds the service's commands to their job types.
func (s *Service) Registrations() []worker.Registration {
	return []worker.Registration{
		{JobType: JobLoadFulfillmentPlan, Handler: s.handleLoadPlan, FetchVariables: planVariableNames},
		{JobType: JobExecuteTask, Handler: s.countRetries(s.handleExecuteTask), FetchVariables: withVariables("currentTaskId")},
		{JobType: JobSubmitExternalTask, Handler: s.countRetries(s.handleSubmit), FetchVariables: withVariables("currentTaskId")},
		{JobType: JobApplyExternalResult, Handler: s.countRetries(s.handleApplyResult),
			FetchVariables: withVariables("currentTaskId", "externalResultEventId")},
		{JobType: JobApplyTimeout, Handler: s.countRetries(s.handleTimeout), FetchVariables: withVariables("currentTaskId")},
		{JobType: JobOpenFallout, Handler: s.handleOpenFallout,
			FetchVariables: withVariables("currentTaskId", "failedTaskId", "falloutReason", "falloutCategory")},
		{JobType: JobStartCompensation, Handler: s.handleStartCompensation, FetchVariables: withVariables("compensationReason")},
		{JobType: JobExecuteCompensationTask, Handler: s.countRetries(s.handleCompensationStep),
			FetchVariables: withVariables("compensationPlanId", "currentCompensationStepId")},
		{JobType: JobApplyInstalledBase, Handler: s.handleInstalledBase, FetchVariables: planVariableNames},
		{JobType: JobFinalizeFulfillment, Handler: s.handleFinalize, FetchVariables: planVariableNames},
		{JobType: JobManualTask, Handler: s.handleManualTask, FetchVariables: withVariables("currentTaskId"),
			JobTimeout: ManualTaskJobTimeout},
	}
}

// countRetries counts task jobs handed back for a retry (fulfillment_task_retry_total): an
// adapter or infrastructure failure, or a lost race, not a business outcome or bad data.
func (s *Service) countRetries(h worker.Handler) worker.Handler {
	return func(ctx context.Context, job *worker.Job) (worker.Result, error) {
		res, err := h(ctx, job)
		var f *worker.Failure
		switch {
		case err == nil:
		case errors.As(err, &f):
			if f.Class == worker.ClassTransient {
				s.metrics.taskRetry.WithLabelValues(job.Type).Inc()
			}
		case domain.IsConflict(err) || domain.ErrorCode(err) == domain.EINTERNAL:
			s.metrics.taskRetry.WithLabelValues(job.Type).Inc()
		}
		return res, err
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
		"readyTasks":           res.ReadyTasks,
		"orderSuspended":       res.OrderSuspended,
		"failedTaskId":         nullable(res.FailedTaskID),
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
	if !res.NoEffect {
		s.metrics.settled(job.Type, string(res.TaskStatus))
	}
	// Nothing is returned to the instance: parallel task branches would overwrite each other's
	// variables, and the next plan read reports what changed.
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
