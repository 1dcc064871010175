package fulfillment

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/adapter"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

// Source systems of fallout that no task owns.
const (
	sourceOMS           = "oms"
	sourceInstalledBase = "oms-installed-base" // the catalog's owner of UPDATE_INSTALLED_BASE
)

// falloutFacts is everything a case is built from, read from PostgreSQL.
type falloutFacts struct {
	Task     *domain.Task // nil for plan-level fallout (installed base, invalid plan)
	Item     string       // order item the problem is about
	Category domain.FalloutCategory
	Severity domain.Severity
	Reason   string // what the workflow said, for the description
	Detail   string // what the truth says, for the description
	Source   string
}

// falloutInput turns the facts into the domain's input: every seed 001 §17 field is filled.
func falloutInput(p *domain.Plan, f falloutFacts) domain.OpenFalloutInput {
	in := domain.OpenFalloutInput{
		ID: domain.NewUUID(), TenantID: p.TenantID, OrderID: p.OrderID, FulfillmentPlanID: p.ID,
		OrderItemID: f.Item, Category: f.Category, Severity: f.Severity, SourceSystem: f.Source,
		CustomerImpact: domain.ImpactDelayed, Description: describe(f),
	}
	if f.Task != nil {
		t := f.Task
		in.TaskID, in.OrderItemID, in.SourceSystem = t.ID, t.OrderItemID, t.OwnerSystem
		in.ExternalCorrelationID = t.ExternalCorrelationID
		in.TaskOptional, in.TaskCompensatable = t.Optional, t.Compensation.Compensatable
		in.Retryable = retryable(t, f.Category)
		if t.Optional {
			in.CustomerImpact = domain.ImpactNone
		}
	}
	if f.Category == domain.FalloutCompensationFailed {
		in.CustomerImpact = domain.ImpactServiceDegraded // an effect the customer did not want is still in place
	}
	in.EvidenceHash = evidenceHash(in, f)
	return in
}

// retryable says whether trying the same task again can succeed without changing data first.
func retryable(t *domain.Task, c domain.FalloutCategory) bool {
	if t.Status != domain.TaskFailed && t.Status != domain.TaskTimedOut {
		return false
	}
	switch c {
	case domain.FalloutExternalSystemTimeout, domain.FalloutResourceConflict, domain.FalloutAppointmentUnavailable,
		domain.FalloutManualTaskExpired:
		return true
	}
	return false
}

// severity ranks a case: effects left in place and a wrong installed base need attention first.
func severity(t *domain.Task, c domain.FalloutCategory, escalate bool) domain.Severity {
	switch {
	case escalate, c == domain.FalloutCompensationFailed, c == domain.FalloutInstalledBaseConflict,
		c == domain.FalloutBillingActivationFailed:
		return domain.SeverityHigh
	case t != nil && t.Optional:
		return domain.SeverityLow
	}
	return domain.SeverityMedium
}

// categoryOfTask derives the category from the task's own failure: a timeout uses its policy's
// category, a refusal the partner's reason when it is a category, else the kind of work.
func categoryOfTask(t *domain.Task) domain.FalloutCategory {
	switch {
	case t.Status == domain.TaskTimedOut:
		return t.Timeout.FalloutCategory
	case t.Status == domain.TaskCompensationFailed:
		return domain.FalloutCompensationFailed
	case domain.FalloutCategory(t.LastFailureCode).Valid():
		return domain.FalloutCategory(t.LastFailureCode)
	case t.Type == domain.TaskActivateBilling:
		return domain.FalloutBillingActivationFailed
	case t.Type == domain.TaskScheduleAppointment:
		return domain.FalloutAppointmentUnavailable
	}
	return domain.FalloutExternalSystemRejected
}

func describe(f falloutFacts) string {
	text := string(f.Category)
	if f.Reason != "" && f.Reason != text {
		text += ": " + f.Reason
	}
	if f.Task != nil {
		text += fmt.Sprintf(" (task %s %s is %s after %d attempt(s)", f.Task.ID, f.Task.Type, f.Task.Status, f.Task.Attempts)
		if f.Task.LastFailureCode != "" {
			text += fmt.Sprintf(", last failure %s %s", f.Task.LastFailureCode, f.Task.LastFailureMessage)
		}
		text += ")"
	}
	if f.Detail != "" {
		text += "; " + f.Detail
	}
	return text + "; runbook: " + f.Category.Runbook()
}

// evidenceHash fingerprints the state the case was opened on, so a later look can tell whether
// the evidence changed since.
func evidenceHash(in domain.OpenFalloutInput, f falloutFacts) string {
	doc := map[string]any{"category": in.Category, "orderItemId": in.OrderItemID, "detail": f.Detail}
	if t := f.Task; t != nil {
		doc["task"] = map[string]any{
			"id": t.ID, "type": t.Type, "status": t.Status, "attempts": t.Attempts, "failureCode": t.LastFailureCode,
			"failureMessage": t.LastFailureMessage, "externalCorrelationId": t.ExternalCorrelationID, "responseHash": t.ResponseHash,
		}
	}
	b, _ := json.Marshal(doc) // maps encode with sorted keys: the same facts give the same hash
	return adapter.HashBytes(b)
}

// openCaseFor returns the open (or escalated) case of a task, or of the plan with no task and the
// given category, "" if there is none. This is what makes opening idempotent.
func openCaseFor(tx *postgres.Tx, p *domain.Plan, taskID string, category domain.FalloutCategory) (string, error) {
	var id string
	var err error
	if taskID != "" {
		err = tx.Raw().QueryRow(tx.Context(), `select id::text from fallout_case
			where tenant_id = $1 and task_id = $2 and status in ('OPEN', 'ESCALATED')`, p.TenantID, taskID).Scan(&id)
	} else {
		err = tx.Raw().QueryRow(tx.Context(), `select id::text from fallout_case
			where tenant_id = $1 and fulfillment_plan_id = $2 and task_id is null and category = $3
			  and status in ('OPEN', 'ESCALATED') order by created_at limit 1`, p.TenantID, p.ID, category).Scan(&id)
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return id, err
}

// openCase opens a case in the transaction unless one is open already. created is false when an
// existing case was returned.
func openCase(tx *postgres.Tx, p *domain.Plan, f falloutFacts, cause domain.Cause) (id string, created bool, err error) {
	taskID := ""
	if f.Task != nil {
		taskID = f.Task.ID
	}
	if id, err = openCaseFor(tx, p, taskID, f.Category); err != nil || id != "" {
		return id, false, err
	}
	// An operator may repair the case before the process reaches its repair wait state. The task
	// is then no longer failing: answer the repaired case, whose repair message the engine buffers.
	if f.Task != nil && !failing(f.Task.Status) {
		if id, err = latestCaseOf(tx, p, taskID); err != nil || id != "" {
			return id, false, err
		}
	}
	fc, err := domain.OpenFallout(falloutInput(p, f), cause)
	if err != nil {
		return "", false, err
	}
	tx.AddFallout(fc)
	return fc.ID, true, nil
}

// failing reports whether a task's state is one a fallout case is opened for.
func failing(s domain.TaskStatus) bool {
	return s == domain.TaskFailed || s == domain.TaskTimedOut || s == domain.TaskCompensationFailed
}

// latestCaseOf returns the task's newest case in any status, "" if it never had one.
func latestCaseOf(tx *postgres.Tx, p *domain.Plan, taskID string) (string, error) {
	var id string
	err := tx.Raw().QueryRow(tx.Context(), `select id::text from fallout_case
		where tenant_id = $1 and task_id = $2 order by created_at desc limit 1`, p.TenantID, taskID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return id, err
}
