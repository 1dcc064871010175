package simulator

import (
	"slices"
	"sync"
	"time"

	"github.com/orderfleet/orderfleet/internal/adapter"
	"github.com/orderfleet/orderfleet/internal/domain"
)

// DefaultAsyncDelay is how long an asynchronous operation takes when no rule says otherwise.
const DefaultAsyncDelay = 200 * time.Millisecond

// rulebook holds the scenario rules; Reset returns to the start-up set.
type rulebook struct {
	mu      sync.Mutex
	initial []Rule
	rules   []Rule
}

func newRulebook(startup []Rule) *rulebook {
	initial := catalogDefaults()
	b := &rulebook{}
	for _, r := range startup {
		initial = upsert(initial, r)
	}
	b.initial = initial
	b.rules = slices.Clone(initial)
	return b
}

// catalogDefaults makes every catalog operation behave as its execution mode says: the
// AUTOMATED_ASYNC ones accept and call back, all others succeed at once.
func catalogDefaults() []Rule {
	cat, err := domain.LoadCatalog()
	if err != nil {
		panic("simulator: embedded catalog is invalid: " + err.Error()) // caught by every test run
	}
	var rules []Rule
	for _, t := range cat.TaskTypes() {
		def, _ := cat.TaskDefinition(t)
		if def.Mode != domain.ModeAutomatedAsync || !slices.Contains(adapter.Systems, def.OwnerSystem) {
			continue
		}
		rules = append(rules, Rule{System: def.OwnerSystem, Operation: string(t),
			Scenario: Scenario{Behavior: Async, Delay: Duration(DefaultAsyncDelay), CallbackOutcome: "COMPLETED"}})
	}
	return rules
}

func upsert(rules []Rule, r Rule) []Rule {
	for i := range rules {
		if rules[i].sameTarget(r) {
			rules[i] = r
			return rules
		}
	}
	return append(rules, r)
}

// Set adds or replaces the rule for r's target; r must be normalized.
func (b *rulebook) Set(r Rule) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rules = upsert(b.rules, r)
}

// ClearFor removes the rules of one order and/or task.
func (b *rulebook) ClearFor(orderID, taskID string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	before := len(b.rules)
	b.rules = slices.DeleteFunc(b.rules, func(r Rule) bool {
		return (orderID != "" && r.OrderID == orderID) || (taskID != "" && r.TaskID == taskID)
	})
	return before - len(b.rules)
}

// Reset returns to the start-up rules.
func (b *rulebook) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rules = slices.Clone(b.initial)
}

// List returns the rules in force.
func (b *rulebook) List() []Rule {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.rules)
}

// Resolve picks the scenario for a call. Two matching rules of equal specificity would have the
// same target, which upsert forbids, so the winner is unique.
func (b *rulebook) Resolve(system, operation, orderID, taskID string) Scenario {
	b.mu.Lock()
	defer b.mu.Unlock()
	best, found := -1, Scenario{Behavior: Succeed}
	for _, r := range b.rules {
		if s := r.specificity(system, operation, orderID, taskID); s >= 0 && s >= best {
			best, found = s, r.Scenario
		}
	}
	return found
}
