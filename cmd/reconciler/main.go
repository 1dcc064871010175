// Command reconciler records where the OMS, the engine (through its read API) and the outbox diverge.
package main

import (
	"os"

	"github.com/orderfleet/orderfleet/internal/app"
	"github.com/orderfleet/orderfleet/internal/reconcile"
)

func main() { app.Exit(reconcile.Main(os.Args[1:], os.Stdout, os.Stderr)) }
