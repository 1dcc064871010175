// Command apply-timeout handles fired task timers by the task's timeout policy (job worker).
package main

import (
	"os"

	"github.com/orderfleet/orderfleet/internal/app"
)

func main() {
	app.Exit(app.RunWorker(app.ApplyTimeoutBinary, app.FulfillmentHandlers, os.Args[1:], os.Stdout, os.Stderr))
}
