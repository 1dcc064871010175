// Command outbox-relay publishes the OMS's committed outbox events to Kafka; see internal/outbox.
package main

import (
	"os"

	"github.com/orderfleet/orderfleet/internal/app"
	"github.com/orderfleet/orderfleet/internal/outbox"
)

func main() { app.Exit(outbox.Main(os.Args[1:], os.Stdout, os.Stderr)) }
