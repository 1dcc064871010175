// Command installed-base applies order lines' asset impact to the installed base (job worker).
package main

import (
	"os"

	"github.com/orderfleet/orderfleet/internal/app"
)

func main() {
	app.Exit(app.RunWorker(app.InstalledBaseBinary, app.FulfillmentHandlers, os.Args[1:], os.Stdout, os.Stderr))
}
