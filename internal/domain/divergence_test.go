package domain

import "testing"

func TestOrderProcessDivergence(t *testing.T) {
	cases := []struct {
		status    OrderStatus
		instances []EngineInstanceState
		want      DivergenceKind
	}{
		{OrderFulfillmentReady, nil, DivergenceOrderWithoutProcess},
		{OrderFulfilling, []EngineInstanceState{EngineInstanceUnknown}, DivergenceOrderWithoutProcess},
		{OrderFulfilling, []EngineInstanceState{EngineInstanceCompleted}, DivergenceOrderWithoutProcess},
		{OrderSuspended, []EngineInstanceState{EngineInstanceCanceled}, DivergenceOrderWithoutProcess},
		{OrderFulfilling, []EngineInstanceState{EngineInstanceActive}, ""},
		// a duplicate instance ended, the claimant still runs
		{OrderFulfilling, []EngineInstanceState{EngineInstanceCompleted, EngineInstanceActive}, ""},
		{OrderFulfilling, []EngineInstanceState{EngineInstanceIncident}, ""},
		{OrderCompleted, []EngineInstanceState{EngineInstanceCompleted}, ""},
		{OrderCompleted, nil, ""},
		{OrderCompleted, []EngineInstanceState{EngineInstanceActive}, DivergenceProcessRunningForEndedOrder},
		{OrderManualClosed, []EngineInstanceState{EngineInstanceIncident}, DivergenceProcessRunningForEndedOrder},
		{OrderCancelled, []EngineInstanceState{EngineInstanceActive}, DivergenceProcessWaitingForCancelledOrder},
		{OrderCancelled, []EngineInstanceState{EngineInstanceCanceled}, ""},
	}
	for _, c := range cases {
		got, diverged := OrderProcessDivergence(c.status, c.instances)
		if got != c.want || diverged != (c.want != "") {
			t.Errorf("%s with %v: got %q (%v), want %q", c.status, c.instances, got, diverged, c.want)
		}
	}
}

func TestDivergenceKindsAreValidAndDistinct(t *testing.T) {
	seen := map[DivergenceKind]bool{}
	for _, k := range DivergenceKinds {
		if !k.Valid() || seen[k] {
			t.Errorf("kind %q invalid or listed twice", k)
		}
		seen[k] = true
	}
	if DivergenceKind("SOMETHING_ELSE").Valid() {
		t.Error("an unknown kind is valid")
	}
}
