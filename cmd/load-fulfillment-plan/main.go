// Command load-fulfillment-plan loads an order's fulfillment plan and computes its ready tasks (job worker).
package main

import (
	"os"

	"github.com/orderfleet/orderfleet/internal/app"
)

func main() {
	app.Exit(app.RunWorker(app.LoadFulfillmentPlanBinary, app.FulfillmentHandlers, os.Args[1:], os.Stdout, os.Stderr))
}
