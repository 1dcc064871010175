// Package telemetry holds what every orderfleet binary shares for operations: the zap logger with the
// seed's log field names, the Prometheus registry, and the admin listener serving /metrics and /healthz.
package telemetry

import (
	"fmt"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Log field names, as the fulfillment spec names them, so dashboards and log queries agree across binaries.
const (
	FieldTenantID              = "tenantId"
	FieldCorrelationID         = "correlationId"
	FieldOrderID               = "orderId"
	FieldOrderItemID           = "orderItemId"
	FieldFulfillmentPlanID     = "fulfillmentPlanId"
	FieldFulfillmentTaskID     = "fulfillmentTaskId"
	FieldExecutionID           = "executionId"
	FieldProcessInstanceKey    = "processInstanceKey"
	FieldJobType               = "jobType"
	FieldTaskType              = "taskType"
	FieldOwnerSystem           = "ownerSystem"
	FieldExternalCorrelationID = "externalCorrelationId"
	FieldAttemptNo             = "attemptNo"
	FieldStateBefore           = "stateBefore"
	FieldStateAfter            = "stateAfter"
	FieldDurationMs            = "durationMs"
	FieldFalloutCaseID         = "falloutCaseId"
)

// NewLogger builds a JSON logger at the given level ("debug", "info", "warn", "error"), tagged with the service.
func NewLogger(service, level string) (*zap.Logger, error) {
	var lvl zapcore.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	cfg := zap.NewProductionConfig()
	cfg.Level = zap.NewAtomicLevelAt(lvl)
	cfg.EncoderConfig.TimeKey = "ts"
	cfg.EncoderConfig.EncodeTime = zapcore.ISO8601TimeEncoder
	cfg.Sampling = nil // a sampled log loses exactly the repeated failures an operator needs to see
	logger, err := cfg.Build()
	if err != nil {
		return nil, err
	}
	return logger.With(zap.String("service", service)), nil
}
