// Command oms-api serves the OMS HTTP API and the partner callbacks; see internal/httpapi.
package main

import (
	"os"

	"github.com/orderfleet/orderfleet/internal/app"
	"github.com/orderfleet/orderfleet/internal/httpapi"
)

func main() { app.Exit(httpapi.Main(os.Args[1:], os.Stdout, os.Stderr)) }
