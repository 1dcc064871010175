package e2e

import "github.com/orderfleet/orderfleet/internal/camunda"

func visited(nodes []camunda.FlowNodeInstance, id string) bool {
	for _, n := range nodes {
		if n.FlowNodeID == id {
			return true
		}
	}
	return false
}

func nodeIDs(nodes []camunda.FlowNodeInstance) []string {
	ids := make([]string, len(nodes))
	for i, n := range nodes {
		ids[i] = n.FlowNodeID + ":" + n.State
	}
	return ids
}
