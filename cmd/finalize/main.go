// Command finalize completes orders whose required tasks are done (job worker).
package main

import (
	"os"

	"github.com/orderfleet/orderfleet/internal/app"
)

func main() {
	app.Exit(app.RunWorker(app.FinalizeBinary, app.FulfillmentHandlers, os.Args[1:], os.Stdout, os.Stderr))
}
