// Command correlation-router turns fulfillment events from Kafka into Zeebe messages; see internal/correlation.
package main

import (
	"os"

	"github.com/orderfleet/orderfleet/internal/app"
	"github.com/orderfleet/orderfleet/internal/correlation"
)

func main() { app.Exit(correlation.Main(os.Args[1:], os.Stdout, os.Stderr)) }
