// Command fleetctl operates orderfleet: the local stack, migrations, BPMN deployment and the demo.
package main

import (
	"os"

	"github.com/orderfleet/orderfleet/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:])) }
