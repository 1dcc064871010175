package app

import (
	"time"

	"github.com/orderfleet/orderfleet/internal/fulfillment"
	"github.com/orderfleet/orderfleet/internal/manualtask"
)

// The worker binaries of the fleet. The mains and the end-to-end tests share these values, so a
// test runs exactly what a deployed binary runs.
var (
	LoadFulfillmentPlanBinary = WorkerBinary{
		Name:      "load-fulfillment-plan",
		About:     "load-fulfillment-plan loads an order's fulfillment plan for the process, claims its execution\nfor the process instance (a duplicate instance is told to end), and computes the ready tasks.",
		AdminAddr: "127.0.0.1:9101",
		JobTypes:  []string{fulfillment.JobLoadFulfillmentPlan},
	}
	ExecuteTaskBinary = WorkerBinary{
		Name:      "execute-task",
		About:     "execute-task runs fulfillment tasks: it claims an attempt, calls the owner system with the\nattempt's idempotency key, and persists the result before completing the job. Asynchronous tasks\nare submitted here, and their partner's result is applied here when the callback arrives.",
		AdminAddr: "127.0.0.1:9102",
		JobTypes:  []string{fulfillment.JobExecuteTask, fulfillment.JobSubmitExternalTask, fulfillment.JobApplyExternalResult},
	}
	ApplyTimeoutBinary = WorkerBinary{
		Name:      "apply-timeout",
		About:     "apply-timeout handles a fired task timer: it verifies the task still waits, marks it TIMED_OUT\nwith the timer as evidence, and acts on the task's timeout policy (fallout, retry, escalate, compensate).",
		AdminAddr: "127.0.0.1:9103",
		JobTypes:  []string{fulfillment.JobApplyTimeout},
	}
	OpenFalloutBinary = WorkerBinary{
		Name:      "open-fallout",
		About:     "open-fallout opens the fallout case of a failing task (one per task) with its category, severity,\nsuggested repairs and evidence, read from the OMS.",
		AdminAddr: "127.0.0.1:9104",
		JobTypes:  []string{fulfillment.JobOpenFallout},
	}
	CompensationBinary = WorkerBinary{
		Name:      "compensation",
		About:     "compensation plans the undo of an order's completed effects and runs each compensation step\nagainst the system that holds the effect, under the step's idempotency key.",
		AdminAddr: "127.0.0.1:9105",
		JobTypes:  []string{fulfillment.JobStartCompensation, fulfillment.JobExecuteCompensationTask},
	}
	InstalledBaseBinary = WorkerBinary{
		Name:      "installed-base",
		About:     "installed-base applies every order line's asset impact to the installed base in one transaction;\nan asset changed since the order was taken is a business conflict.",
		AdminAddr: "127.0.0.1:9106",
		JobTypes:  []string{fulfillment.JobApplyInstalledBase},
	}
	FinalizeBinary = WorkerBinary{
		Name:      "finalize",
		About:     "finalize completes an order whose required tasks are done, as its completion policy allows,\nand closes the execution and the workflow reference.",
		AdminAddr: "127.0.0.1:9107",
		JobTypes:  []string{fulfillment.JobFinalizeFulfillment},
	}
	ManualTaskBinary = WorkerBinary{
		Name: "manual-task",
		About: "manual-task takes the engine's user-task jobs for MANUAL fulfillment tasks, parks them in the OMS\n" +
			"manual queue (task WAITING), and completes each job once an operator's decision through the OMS API\n" +
			"has settled its task.",
		AdminAddr: "127.0.0.1:9108",
		JobTypes:  []string{fulfillment.JobManualTask},
		Background: func(d *Deps) Runner {
			return manualtask.NewReleaser(d.DB, d.Engine, d.Log, d.Registry, 500*time.Millisecond)
		},
	}
)
