// Command manual-task parks user-task jobs of MANUAL fulfillment tasks and completes them once the
// OMS records the operator's decision (job worker plus release loop).
package main

import (
	"os"

	"github.com/orderfleet/orderfleet/internal/app"
)

func main() {
	app.Exit(app.RunWorker(app.ManualTaskBinary, app.FulfillmentHandlers, os.Args[1:], os.Stdout, os.Stderr))
}
