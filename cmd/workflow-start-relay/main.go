// Command workflow-start-relay starts a process instance for each committed start request.
package main

import (
	"os"

	"github.com/orderfleet/orderfleet/internal/app"
)

func main() { app.Exit(app.RunStartRelay(os.Args[1:], os.Stdout, os.Stderr)) }
