package app

import (
	"github.com/orderfleet/orderfleet/internal/adapter"
	"github.com/orderfleet/orderfleet/internal/fulfillment"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/worker"
)

// FulfillmentHandlers is the HandlerSource of the fulfillment worker binaries: the OMS store,
// the external systems over HTTP, and the fulfillment commands bound to their job types.
func FulfillmentHandlers(d *Deps, ws *WorkerSettings) ([]worker.Registration, error) {
	caller, err := adapter.NewHTTPCaller(adapter.HTTPConfig{BaseURL: ws.AdapterURL, Timeout: ws.AdapterTimeout})
	if err != nil {
		return nil, err
	}
	svc := fulfillment.NewService(postgres.New(d.DB), caller, d.Log, d.Registry)
	return svc.Registrations(), nil
}
