package domain

// TaskType names a kind of fulfilment work (seed 001 §8). BPMN routes on a
// task's metadata, never on the product, so new products need no new BPMN.
type TaskType string

const (
	TaskReserveResource           TaskType = "RESERVE_RESOURCE"
	TaskReleaseResource           TaskType = "RELEASE_RESOURCE"
	TaskCheckServiceability       TaskType = "CHECK_SERVICEABILITY"
	TaskCreateProvisioningRequest TaskType = "CREATE_PROVISIONING_REQUEST"
	TaskWaitProvisioningCompleted TaskType = "WAIT_PROVISIONING_COMPLETED"
	TaskScheduleAppointment       TaskType = "SCHEDULE_APPOINTMENT"
	TaskConfirmShipment           TaskType = "CONFIRM_SHIPMENT"
	TaskActivateBilling           TaskType = "ACTIVATE_BILLING"
	TaskUpdateInstalledBase       TaskType = "UPDATE_INSTALLED_BASE"
	TaskSendCustomerNotification  TaskType = "SEND_CUSTOMER_NOTIFICATION"
	TaskManualActivationReview    TaskType = "MANUAL_ACTIVATION_REVIEW"
)

// Compensation task types: the forward actions that neutralise a completed
// effect (seed 001 §16, seed 000 §15). RELEASE_RESOURCE doubles as one.
const (
	TaskCancelShipment            TaskType = "CANCEL_SHIPMENT"
	TaskReverseBillingActivation  TaskType = "REVERSE_BILLING_ACTIVATION"
	TaskCancelProvisioningRequest TaskType = "CANCEL_PROVISIONING_REQUEST"
	TaskCancelAppointment         TaskType = "CANCEL_APPOINTMENT"
	TaskRevertInstalledBase       TaskType = "REVERT_INSTALLED_BASE"
	TaskSendCorrectionNotice      TaskType = "SEND_CORRECTION_NOTIFICATION"
)

// ExecutionMode tells the workflow which BPMN shape runs a task (seed 001 §8).
type ExecutionMode string

const (
	ModeAutomatedSync  ExecutionMode = "AUTOMATED_SYNC"
	ModeAutomatedAsync ExecutionMode = "AUTOMATED_ASYNC"
	ModeManual         ExecutionMode = "MANUAL"
	ModeWaitOnly       ExecutionMode = "WAIT_ONLY"
	ModeCompensation   ExecutionMode = "COMPENSATION"
	ModeRepair         ExecutionMode = "REPAIR"
)

// Valid reports whether m is a known mode.
func (m ExecutionMode) Valid() bool {
	switch m {
	case ModeAutomatedSync, ModeAutomatedAsync, ModeManual, ModeWaitOnly, ModeCompensation, ModeRepair:
		return true
	}
	return false
}
