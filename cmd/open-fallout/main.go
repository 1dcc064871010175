// Command open-fallout opens fallout cases for failing tasks (job worker).
package main

import (
	"os"

	"github.com/orderfleet/orderfleet/internal/app"
)

func main() {
	app.Exit(app.RunWorker(app.OpenFalloutBinary, app.FulfillmentHandlers, os.Args[1:], os.Stdout, os.Stderr))
}
