package fulfillment

import (
	"context"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/worker"
)

// ManualTaskJobTimeout is how long a parked user-task job stays with the fleet before the engine
// hands it out again; the release loop completes it by key long before in the usual case, and a
// re-activation simply parks it again under the same key.
const ManualTaskJobTimeout = 24 * time.Hour

// ParkManualTask puts a MANUAL task in the OMS manual queue (task WAITING with an attempt) and
// records the user-task job that waits for the decision. It reports settled=true when a decision
// already settled the task, so the job can be completed at once instead of parked.
func (s *Service) ParkManualTask(ctx context.Context, ref PlanRef, taskID string, jobKey, processInstanceKey int64, jobType string) (domain.TaskStatus, bool, error) {
	cause := workerCause(jobType, ref.CorrelationID)
	var status domain.TaskStatus
	var settled bool
	err := postgres.RetryOnConflict(ctx, conflictRetries, func() error {
		return s.store.Do(ctx, func(tx *postgres.Tx) error {
			o, p, err := loadOrderAndPlan(tx, ref)
			if err != nil {
				return err
			}
			t, err := p.Task(taskID)
			if err != nil {
				return err
			}
			if t.Mode != domain.ModeManual {
				return domain.Errorf(domain.EINVALID, "task %s is %s, not a manual task", taskID, t.Mode)
			}
			if t.Status == domain.TaskPending || t.Status == domain.TaskReady {
				if !o.AllowsTaskExecution() {
					return domain.Errorf(domain.ENOTELIGIBLE, "order %s is %s; manual task %s waits", o.ID, o.Status, taskID)
				}
				if _, err := p.StartTask(taskID, domain.AttemptRequest{RequestHash: t.InputSnapshotHash}, cause); err != nil {
					return err
				}
			}
			if t.Status == domain.TaskInProgress {
				if err := p.WaitTask(taskID, cause); err != nil {
					return err
				}
			}
			status = t.Status
			settled = t.Status != domain.TaskWaiting
			_, err = tx.Raw().Exec(ctx, `
				insert into manual_task_job (tenant_id, fulfillment_task_id, job_key, order_id, fulfillment_plan_id, process_instance_key)
				values ($1, $2, $3, $4, $5, $6)
				on conflict (tenant_id, fulfillment_task_id, job_key) do nothing`,
				ref.TenantID, taskID, jobKey, ref.OrderID, ref.FulfillmentPlanID, processInstanceKey)
			return err
		})
	})
	return status, settled, err
}

func (s *Service) handleManualTask(ctx context.Context, job *worker.Job) (worker.Result, error) {
	ref, taskID, err := decodePlanRef(job, true)
	if err != nil {
		return worker.Result{}, err
	}
	status, settled, err := s.ParkManualTask(ctx, ref, taskID, job.Key, job.ProcessInstanceKey, job.Type)
	if err != nil {
		return worker.Result{}, err
	}
	if settled {
		return worker.Result{Variables: map[string]any{"taskOutcome": string(status)}}, nil
	}
	return worker.Result{Park: true}, nil
}
