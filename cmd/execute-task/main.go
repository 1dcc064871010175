// Command execute-task runs fulfillment tasks against the owner systems (job worker).
package main

import (
	"os"

	"github.com/orderfleet/orderfleet/internal/app"
)

func main() {
	app.Exit(app.RunWorker(app.ExecuteTaskBinary, app.FulfillmentHandlers, os.Args[1:], os.Stdout, os.Stderr))
}
