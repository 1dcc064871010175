package demoflow

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/omsapi"
	"github.com/orderfleet/orderfleet/internal/omsclient"
	"github.com/orderfleet/orderfleet/internal/simulator"
)

// operator is who the demo's decisions are recorded as.
const operator = "demo-operator"

// GoldenFlows are the flows of seed 001 §27 in the order they must run: MODIFY and DISCONNECT
// change assets the bundle installed.
func GoldenFlows() []Flow {
	return []Flow{
		{Name: "add-bundle", Title: "ADD bundle: parallel tasks, async provisioning and shipment",
			File: "orders/add-bundle.json", Want: domain.OrderCompleted, AfterEnd: carrierCallsBackTwiceMore},
		{Name: "modify", Title: "MODIFY cloud backup size", File: "orders/modify-cloud-backup.json", Want: domain.OrderCompleted},
		{Name: "disconnect", Title: "DISCONNECT the security add-on", File: "orders/disconnect-security-suite.json", Want: domain.OrderCompleted},
		{Name: "manual-review", Title: "Manual activation review, decided by a person",
			File: "orders/premium-support-review.json", Want: domain.OrderCompleted, Drive: approveReview},
		{Name: "timeout-repair", Title: "Provisioning timeout → fallout → repair → retry",
			File: "orders/fiber-provisioning-timeout.json", Want: domain.OrderCompleted,
			Before: provisioningNeverAnswers, After: provisioningAnswers, Drive: timeoutThenRepair},
		{Name: "cancel-compensate", Title: "Cancellation after partial completion → compensation",
			File: "orders/business-backup-cancel.json", Want: domain.OrderCancelled, Drive: cancelDuringReview},
		{Name: "reject-repair", Title: "Partner rejects a task → fallout → repair → retry",
			File: "orders/cloud-backup-no-capacity.json", Want: domain.OrderCompleted,
			Before: inventory("RESERVE_RESOURCE", simulator.Reject, "NO_CAPACITY"), After: inventory("RESERVE_RESOURCE", simulator.Succeed, ""),
			Drive: rejectThenRepair},
		{Name: "compensation-failure", Title: "Compensation fails → fallout → closed by hand",
			File: "orders/business-backup-cancel.json", Want: domain.OrderManualClosed,
			Before: inventory("RELEASE_RESOURCE", simulator.Reject, "RESOURCE_LOCKED"), After: inventory("RELEASE_RESOURCE", simulator.Succeed, ""),
			Drive: cancelThenCloseByHand},
	}
}

// FlowsNamed picks flows by name, keeping the golden order; no names means all.
func FlowsNamed(names []string) ([]Flow, error) {
	all := GoldenFlows()
	if len(names) == 0 {
		return all, nil
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	var out []Flow
	for _, f := range all {
		if want[f.Name] {
			out = append(out, f)
			delete(want, f.Name)
		}
	}
	for n := range want {
		var known []string
		for _, f := range all {
			known = append(known, f.Name)
		}
		return nil, fmt.Errorf("no flow named %q (flows: %s)", n, strings.Join(known, " "))
	}
	return out, nil
}

func approveReview(ctx context.Context, r *Run) error {
	task, err := r.waitForTask(ctx, domain.TaskManualActivationReview, domain.TaskWaiting)
	if err != nil {
		return err
	}
	r.say("the review waits for a person; recording COMPLETE as %s", operator)
	_, err = r.env.API.Decide(ctx, r.OrderID, task.TaskID, string(domain.DecisionComplete), omsclient.Justification{
		ReasonCode: "CONTRACT_VERIFIED", Reason: "Support contract signed and verified.",
		EvidenceReference: "CONTRACT-2026-118", OperatorID: operator}, "")
	return err
}

// The partner behaviours the flows switch between, for every order: flows run one at a time.
var (
	provisioningNeverAnswers = partner("provisioning-adapter", "CREATE_PROVISIONING_REQUEST", simulator.NeverAnswer, "")
	provisioningAnswers      = partner("provisioning-adapter", "CREATE_PROVISIONING_REQUEST", simulator.Async, "")
)

func timeoutThenRepair(ctx context.Context, r *Run) error {
	if _, err := r.waitForTask(ctx, domain.TaskCreateProvisioningRequest, domain.TaskSubmitted); err != nil {
		return err
	}
	// The boundary timer exists once the instance waits; only then may time move.
	if err := r.waitForElement(ctx, "AwaitExternalResult"); err != nil {
		return err
	}
	r.say("the partner never answers; moving the engine clock 31 minutes past the PT30M timeout")
	if err := r.env.MoveClock(ctx, 31*time.Minute); err != nil {
		return fmt.Errorf("move the engine clock: %w", err)
	}
	if _, err := r.waitForTask(ctx, domain.TaskCreateProvisioningRequest, domain.TaskTimedOut); err != nil {
		return err
	}
	return repairWithRetry(ctx, r, "the partner is fixed", provisioningAnswers, omsclient.Justification{
		ReasonCode: "PARTNER_RECOVERED", Reason: "Provisioning platform back after an outage.", EvidenceReference: "INC-5512"})
}

func (r *Run) waitForFallout(ctx context.Context) (omsapi.FalloutCase, error) {
	for {
		cases, err := r.env.API.FalloutCases(ctx, r.OrderID, "OPEN")
		if err != nil {
			return omsapi.FalloutCase{}, err
		}
		if len(cases) > 0 {
			return cases[0], nil
		}
		select {
		case <-ctx.Done():
			return omsapi.FalloutCase{}, fmt.Errorf("no open fallout case for order %s", r.OrderID)
		case <-time.After(400 * time.Millisecond):
		}
	}
}

func cancelDuringReview(ctx context.Context, r *Run) error {
	if _, err := r.waitForTask(ctx, domain.TaskManualActivationReview, domain.TaskWaiting); err != nil {
		return err
	}
	r.say("storage is reserved and the review waits; the customer cancels")
	_, err := r.env.API.Lifecycle(ctx, r.OrderID, "cancel", omsclient.Justification{
		ReasonCode: "CUSTOMER_REQUEST", Reason: "Customer withdrew the order.", OperatorID: operator}, "")
	return err
}

// partner sets how a partner answers one operation, for every order.
func partner(system, operation string, behavior simulator.Behavior, reasonCode string) func(context.Context, *Run) error {
	return func(ctx context.Context, r *Run) error {
		return r.env.Simulator.SetScenario(ctx, system, operation, simulator.Scenario{Behavior: behavior, ReasonCode: reasonCode})
	}
}

func inventory(operation string, behavior simulator.Behavior, reasonCode string) func(context.Context, *Run) error {
	return partner("inventory-adapter", operation, behavior, reasonCode)
}

// carrierCallsBackTwiceMore redelivers the shipment callback: partners retry, and the OMS must
// keep exactly one effect (the duplicates are counted, not applied).
func carrierCallsBackTwiceMore(ctx context.Context, r *Run) error {
	page, err := r.env.Simulator.Ledger(ctx, simulator.Query{OrderID: r.OrderID, Operation: "CONFIRM_SHIPMENT"})
	if err != nil {
		return err
	}
	if len(page.Entries) == 0 {
		return fmt.Errorf("the simulator has no shipment of order %s to call back about", r.OrderID)
	}
	res, err := r.env.Simulator.Deliver(ctx, simulator.DeliverRequest{IdempotencyKey: page.Entries[0].IdempotencyKey, Times: 2})
	if err != nil {
		return err
	}
	r.say("the carrier sent its callback twice more; the OMS answered %v and kept one effect", res.Statuses)
	return nil
}

func rejectThenRepair(ctx context.Context, r *Run) error {
	if _, err := r.waitForTask(ctx, domain.TaskReserveResource, domain.TaskFailed); err != nil {
		return err
	}
	return repairWithRetry(ctx, r, "capacity is added at the partner", inventory("RESERVE_RESOURCE", simulator.Succeed, ""),
		omsclient.Justification{ReasonCode: "CAPACITY_ADDED", Reason: "Storage pool extended.", EvidenceReference: "CHG-7781"})
}

// repairWithRetry waits for the order's open fallout case, fixes the cause, and repairs the case
// with RETRY as the demo operator.
func repairWithRetry(ctx context.Context, r *Run, fixed string, fix func(context.Context, *Run) error, why omsclient.Justification) error {
	c, err := r.waitForFallout(ctx)
	if err != nil {
		return err
	}
	r.say("fallout case %s (%s) is open; %s, repairing with RETRY", c.FalloutCaseID, c.Category, fixed)
	if err := fix(ctx, r); err != nil {
		return err
	}
	why.OperatorID = operator
	_, err = r.env.API.RepairFallout(ctx, r.OrderID, c.FalloutCaseID, "RETRY", why, "")
	return err
}

func cancelThenCloseByHand(ctx context.Context, r *Run) error {
	if err := cancelDuringReview(ctx, r); err != nil {
		return err
	}
	c, err := r.waitForFallout(ctx)
	if err != nil {
		return err
	}
	r.say("the partner refuses to release the storage: fallout case %s (%s); closing the order by hand", c.FalloutCaseID, c.Category)
	_, err = r.env.API.RepairFallout(ctx, r.OrderID, c.FalloutCaseID, "MANUAL_CLOSE", omsclient.Justification{
		ReasonCode: "RELEASED_BY_HAND", Reason: "Storage released in the partner console.", EvidenceReference: "INC-9031",
		OperatorID: operator}, "")
	return err
}
