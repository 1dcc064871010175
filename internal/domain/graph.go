package domain

import (
	"fmt"
	"strings"
)

// GraphNode is the part of a task the dependency rules look at.
type GraphNode struct {
	ID        string
	DependsOn []string
}

// ValidateGraph rejects a dependency graph with an empty or duplicate id, a
// dependency on an unknown node, or a cycle. The cycle error's Refs list the
// ids along the cycle in dependency order, so operators can see it.
func ValidateGraph(nodes []GraphNode) error {
	index := make(map[string]int, len(nodes))
	for i, n := range nodes {
		if n.ID == "" {
			return Errorf(EINVALID, "node at position %d has no id", i)
		}
		if _, dup := index[n.ID]; dup {
			return &Error{Code: EINVALID, Message: fmt.Sprintf("id %s used twice", n.ID), Refs: []string{n.ID}}
		}
		index[n.ID] = i
	}
	for _, n := range nodes {
		for _, d := range n.DependsOn {
			if _, ok := index[d]; !ok {
				return &Error{
					Code:    EUNKNOWNDEPENDENCY,
					Message: fmt.Sprintf("%s depends on unknown task %s", n.ID, d),
					Refs:    []string{n.ID, d},
				}
			}
		}
	}
	if cycle := findCycle(nodes, index); cycle != nil {
		return &Error{
			Code:    ECYCLE,
			Message: "dependency cycle: " + strings.Join(append(cycle, cycle[0]), " -> "),
			Refs:    cycle,
		}
	}
	return nil
}

// findCycle runs an iterative depth-first search (graphs from the fuzz test
// can be deep) and returns the first cycle found, or nil.
func findCycle(nodes []GraphNode, index map[string]int) []string {
	const (
		white = iota
		grey
		black
	)
	color := make([]int, len(nodes))
	type frame struct{ node, next int }
	for start := range nodes {
		if color[start] != white {
			continue
		}
		stack := []frame{{node: start}}
		color[start] = grey
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			deps := nodes[top.node].DependsOn
			if top.next == len(deps) {
				color[top.node] = black
				stack = stack[:len(stack)-1]
				continue
			}
			d := index[deps[top.next]]
			top.next++
			switch color[d] {
			case white:
				color[d] = grey
				stack = append(stack, frame{node: d})
			case grey:
				// d is on the stack: the cycle is the stack from d upwards.
				var cycle []string
				for i := len(stack) - 1; i >= 0; i-- {
					cycle = append([]string{nodes[stack[i].node].ID}, cycle...)
					if stack[i].node == d {
						break
					}
				}
				return cycle
			}
		}
	}
	return nil
}

// ParallelGroups splits a valid graph into waves: every node of a wave
// depends only on nodes of earlier waves, so a wave's members may run in
// parallel. Within a wave nodes keep their input order.
func ParallelGroups(nodes []GraphNode) ([][]string, error) {
	if err := ValidateGraph(nodes); err != nil {
		return nil, err
	}
	level := make(map[string]int, len(nodes))
	remaining := nodes
	var groups [][]string
	for len(remaining) > 0 {
		var wave []string
		var rest []GraphNode
		for _, n := range remaining {
			ready := true
			for _, d := range n.DependsOn {
				if l, ok := level[d]; !ok || l >= len(groups) {
					ready = false
					break
				}
			}
			if ready {
				wave = append(wave, n.ID)
			} else {
				rest = append(rest, n)
			}
		}
		for _, id := range wave {
			level[id] = len(groups)
		}
		groups = append(groups, wave)
		remaining = rest
	}
	return groups, nil
}
