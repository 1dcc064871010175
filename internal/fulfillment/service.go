// Package fulfillment is the application layer the job workers call: each command loads the truth
// from PostgreSQL by id, applies a domain operation, and persists state, audit and outbox in one
// transaction. Job variables only name what to load; they are never trusted as state.
package fulfillment

import (
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/adapter"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

// Service runs the fulfillment commands.
type Service struct {
	store   *postgres.Store
	caller  adapter.Caller
	log     *zap.Logger
	metrics *metrics
}

// NewService builds the service over the OMS store and the external-system port. The seed's
// fulfillment counters are registered on reg (the binary's registry); nil leaves them unregistered.
func NewService(store *postgres.Store, caller adapter.Caller, log *zap.Logger, reg prometheus.Registerer) *Service {
	return &Service{store: store, caller: caller, log: log, metrics: newMetrics(reg)}
}

// conflictRetries bounds reloads when another worker settles a sibling task of the same plan
// at the same moment (the plan row's version guards the whole graph).
const conflictRetries = 5

func workerCause(jobType, correlationID string) domain.Cause {
	return domain.Cause{Actor: domain.Actor{Type: domain.ActorWorker, ID: jobType}, CorrelationID: correlationID}
}
