package e2e

import "github.com/orderfleet/orderfleet/internal/engineapi"

func visited(nodes []engineapi.ElementInstance, id string) bool { return engineapi.Visited(nodes, id) }

func nodeIDs(nodes []engineapi.ElementInstance) []string {
	ids := make([]string, len(nodes))
	for i, n := range nodes {
		ids[i] = n.ElementID + ":" + n.State
	}
	return ids
}
