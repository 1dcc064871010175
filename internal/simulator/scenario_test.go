package simulator

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestMostSpecificRuleWins(t *testing.T) {
	b := newRulebook([]Rule{
		{System: "inventory-adapter", Scenario: Scenario{Behavior: Reject, ReasonCode: "SYSTEM"}},
		{System: "inventory-adapter", Operation: "RESERVE_RESOURCE", Scenario: Scenario{Behavior: Reject, ReasonCode: "OPERATION"}},
		{OrderID: "o1", Scenario: Scenario{Behavior: Reject, ReasonCode: "ORDER"}},
		{OrderID: "o1", System: "inventory-adapter", Scenario: Scenario{Behavior: Reject, ReasonCode: "ORDER_SYSTEM"}},
		{TaskID: "t1", Scenario: Scenario{Behavior: Reject, ReasonCode: "TASK"}},
	})
	cases := []struct{ system, op, order, task, want string }{
		{"inventory-adapter", "RELEASE_RESOURCE", "o9", "t9", "SYSTEM"},
		{"inventory-adapter", "RESERVE_RESOURCE", "o9", "t9", "OPERATION"},
		{"billing-adapter", "ACTIVATE_BILLING", "o1", "t9", "ORDER"},
		{"inventory-adapter", "RESERVE_RESOURCE", "o1", "t9", "ORDER_SYSTEM"},
		{"inventory-adapter", "RESERVE_RESOURCE", "o1", "t1", "TASK"},
		{"notification-adapter", "SEND_CUSTOMER_NOTIFICATION", "o9", "t9", ""},
	}
	for _, c := range cases {
		if got := b.Resolve(c.system, c.op, c.order, c.task).ReasonCode; got != c.want {
			t.Errorf("%+v: got %q", c, got)
		}
	}
	if got := b.Resolve("notification-adapter", "X", "", "").Behavior; got != Succeed {
		t.Fatalf("fallback %s", got)
	}
}

func TestCatalogAsyncOperationsDefaultToCallbacks(t *testing.T) {
	b := newRulebook(nil)
	sc := b.Resolve("provisioning-adapter", "CREATE_PROVISIONING_REQUEST", "o", "t")
	if sc.Behavior != Async || time.Duration(sc.Delay) != DefaultAsyncDelay || sc.CallbackOutcome != "COMPLETED" {
		t.Fatalf("provisioning default %+v", sc)
	}
	if sc := b.Resolve("inventory-adapter", "RESERVE_RESOURCE", "o", "t"); sc.Behavior != Succeed {
		t.Fatalf("inventory default %+v", sc)
	}
	b.Set(Rule{OrderID: "o", Scenario: Scenario{Behavior: Hang}})
	if b.Resolve("provisioning-adapter", "CREATE_PROVISIONING_REQUEST", "o", "t").Behavior != Hang {
		t.Fatal("order rule lost to a global default")
	}
	if n := b.ClearFor("o", ""); n != 1 {
		t.Fatalf("cleared %d", n)
	}
	b.Set(Rule{System: "inventory-adapter", Scenario: Scenario{Behavior: Reject}})
	b.Reset()
	if b.Resolve("inventory-adapter", "RESERVE_RESOURCE", "", "").Behavior != Succeed {
		t.Fatal("reset kept a run-time rule")
	}
}

func TestParseRulesAndScenarioValidation(t *testing.T) {
	text := `[{"system":"provisioning-adapter","operation":"*","behavior":"async","delay":"1.5s","callbackOutcome":"REJECTED"},
	          {"orderId":"o1","behavior":"fail-transiently"}]`
	path := filepath.Join(t.TempDir(), "scenarios.json")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{text, "@" + path} {
		rules, err := ParseRules(in)
		if err != nil || len(rules) != 2 {
			t.Fatalf("%v %v", rules, err)
		}
		r := rules[0]
		if r.Operation != "" || time.Duration(r.Delay) != 1500*time.Millisecond || r.ReasonCode != "SIMULATED_REJECTED" {
			t.Fatalf("rule %+v", r)
		}
		if rules[1].TransientFailures != 1 {
			t.Fatalf("fail-transiently default %+v", rules[1])
		}
	}
	for _, bad := range []string{
		`[{"behavior":"explode"}]`, `[{"system":"teleport-adapter"}]`, `[{"behavior":"async","delay":"soon"}]`,
		`[{"behavior":"async","callbackOutcome":"MAYBE"}]`, `{"behavior":"succeed"}`,
	} {
		if _, err := ParseRules(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	b, _ := json.Marshal(Scenario{Behavior: Async, Delay: Duration(2 * time.Second)})
	if string(b) != `{"behavior":"async","delay":"2s"}` {
		t.Fatalf("encoded %s", b)
	}
}
