// Command compensation plans and runs the compensation of an order's completed effects (job worker).
package main

import (
	"os"

	"github.com/orderfleet/orderfleet/internal/app"
)

func main() {
	app.Exit(app.RunWorker(app.CompensationBinary, app.FulfillmentHandlers, os.Args[1:], os.Stdout, os.Stderr))
}
