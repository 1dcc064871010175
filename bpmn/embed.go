// Package bpmn embeds orderfleet's process models so every binary deploys the exact files in the repo.
package bpmn

import "embed"

// OrderFulfillmentProcessID is the id of the fulfillment process; new meanings get a new id (-v2).
const OrderFulfillmentProcessID = "order-fulfillment-v1"

// Files holds the BPMN models, named as they appear in the engine (resource names).
//
//go:embed *.bpmn
var Files embed.FS
