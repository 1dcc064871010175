package store

import "github.com/orderfleet/orderfleet/internal/engine/model"

// parseBPMN is the BPMN parser; a variable so unit tests could substitute it.
var parseBPMN = model.Parse
