// Command adapter-simulator plays the external systems for tests and the demo; see --help.
package main

import (
	"context"
	"os"

	"github.com/orderfleet/orderfleet/internal/app"
	"github.com/orderfleet/orderfleet/internal/simulator"
)

func main() {
	st, settings := simulator.NewSettings()
	app.Exit(app.Execute(os.Args[1:], os.Stdout, os.Stderr, settings, func(context.Context) (app.Runner, func(), error) {
		m, err := st.Open(settings.Summary())
		if err != nil {
			return nil, nil, err
		}
		return m, m.Close, nil
	}))
}
