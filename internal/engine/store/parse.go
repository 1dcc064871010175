package store

import (
	"errors"

	"github.com/orderfleet/orderfleet/internal/engine/model"
)

// parseBPMN is the BPMN parser (model.Parse once the model package provides it).
var parseBPMN = func(resourceName string, xml []byte) (*model.Definitions, error) {
	return nil, errors.New("the BPMN parser is not available in this build")
}
