package app

import "github.com/orderfleet/orderfleet/internal/fulfillment"

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
		About:     "execute-task runs fulfillment tasks: it claims an attempt, calls the owner system with the\nattempt's idempotency key, and persists the result before completing the job.",
		AdminAddr: "127.0.0.1:9102",
		JobTypes:  []string{fulfillment.JobExecuteTask},
	}
	FinalizeBinary = WorkerBinary{
		Name:      "finalize",
		About:     "finalize completes an order whose required tasks are done, as its completion policy allows,\nand closes the execution and the workflow reference.",
		AdminAddr: "127.0.0.1:9107",
		JobTypes:  []string{fulfillment.JobFinalizeFulfillment},
	}
)
