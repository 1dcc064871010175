package fleetbench

import (
	"fmt"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/fulfillment"
)

// readyTask is one entry of the readyTasks variable, as load-fulfillment-plan returns it.
type readyTask struct {
	Mode          domain.ExecutionMode
	Timeout       string
	ResultMessage string
}

// productRounds are the rounds of ready tasks an ADD of the product runs through, one task per
// round: the products benchmarked are chains (each task depends on the one before), which the
// catalog is checked for, so the stubs route an instance exactly as the real plan would.
func productRounds(cat *domain.Catalog, code string) ([]readyTask, error) {
	p, err := cat.Product(code)
	if err != nil {
		return nil, err
	}
	var rounds []readyTask
	for i, t := range p.Templates[domain.ActionAdd] {
		chained := (i == 0 && len(t.DependsOn) == 0) ||
			(i > 0 && len(t.DependsOn) == 1 && t.DependsOn[0] == p.Templates[domain.ActionAdd][i-1].Key)
		if !chained || t.Optional {
			return nil, fmt.Errorf("%s: task %s is not a required link of a chain; the stub routing assumes one", code, t.Key)
		}
		timeout := t.Timeout.TimeoutISO
		if timeout == "" || t.Timeout.Timeout <= 0 {
			timeout = fulfillment.NoTimeout
		}
		rounds = append(rounds, readyTask{Mode: t.Mode, Timeout: timeout, ResultMessage: fulfillment.ResultMessage(t.OwnerSystem)})
	}
	return rounds, nil
}

// asyncTasks counts the rounds whose task waits for a partner's message.
func asyncTasks(rounds []readyTask) int {
	n := 0
	for _, r := range rounds {
		if r.Mode == domain.ModeAutomatedAsync {
			n++
		}
	}
	return n
}
