package simulator_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orderfleet/orderfleet/internal/adapter"
	"github.com/orderfleet/orderfleet/internal/simulator"
)

func TestBinaryServesAdminRoutesMetricsAndDrains(t *testing.T) {
	st, set := simulator.NewSettings()
	err := set.Parse([]string{"--listen", "127.0.0.1:0", "--admin-addr", "127.0.0.1:0", "--log-level", "error",
		"--scenarios", `[{"system":"inventory-adapter","behavior":"reject","reasonCode":"OUT_OF_STOCK"}]`,
		"--callback-secrets", "tenant-a=tenant-a-callback-secret-0123456789"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.Open(set.Summary())
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx) }()

	base := "http://" + m.Addr()
	c := simulator.NewClient(base)
	caller, err := adapter.NewHTTPCaller(adapter.HTTPConfig{BaseURL: base})
	if err != nil {
		t.Fatal(err)
	}
	req := adapter.Request{ExternalSystem: adapter.SystemInventory, Operation: "RESERVE_RESOURCE", IdempotencyKey: "tenant-a:o1:t1:execute-1",
		TenantID: "tenant-a", OrderID: "o1", TaskID: "t1"}
	if resp, err := caller.Call(ctx, req); err != nil || resp.ReasonCode != "OUT_OF_STOCK" {
		t.Fatalf("start-up scenario not applied: %+v %v", resp, err)
	}
	must(t, c.SetScenario(ctx, adapter.SystemInventory, "*", simulator.Scenario{Behavior: simulator.Succeed}))
	req.IdempotencyKey, req.TaskID = "tenant-a:o1:t2:execute-1", "t2"
	if resp, err := caller.Call(ctx, req); err != nil || resp.Outcome != adapter.OutcomeCompleted {
		t.Fatalf("run-time scenario not applied: %+v %v", resp, err)
	}
	rules, err := c.Scenarios(ctx)
	must(t, err)
	if len(rules) == 0 {
		t.Fatal("no rules listed")
	}
	must(t, c.Reset(ctx))
	page, err := c.Ledger(ctx, simulator.Query{OrderID: "o1"})
	must(t, err)
	if len(page.Entries) != 2 || page.Effects != 1 {
		t.Fatalf("ledger %+v", page)
	}
	must(t, c.ClearOrder(ctx, "o1"))
	if page, _ := c.Ledger(ctx, simulator.Query{OrderID: "o1"}); len(page.Entries) != 0 {
		t.Fatalf("ledger after clear %+v", page)
	}
	if err := c.SetScenario(ctx, "teleport-adapter", "*", simulator.Scenario{}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("unknown system accepted: %v", err)
	}

	metrics := get(t, "http://"+m.AdminAddr()+"/metrics")
	if !strings.Contains(metrics, `adapter_simulator_requests_total{answer="rejected",operation="RESERVE_RESOURCE",system="inventory-adapter"} 1`) {
		t.Fatalf("metrics lack the rejected request:\n%s", metrics)
	}

	// a hanging request must not hold up shutdown
	must(t, c.SetOrderScenario(ctx, "o2", "*", "*", simulator.Scenario{Behavior: simulator.Hang}))
	go func() {
		body := bytes.NewReader([]byte(`{"tenantId":"tenant-a","orderId":"o2","taskId":"t","externalSystem":"inventory-adapter","operation":"RESERVE_RESOURCE"}`))
		r, _ := http.NewRequest(http.MethodPost, base+"/systems/inventory-adapter/operations/RESERVE_RESOURCE", body)
		r.Header.Set(adapter.HeaderIdempotencyKey, "k-hang")
		if resp, err := http.DefaultClient.Do(r); err == nil {
			resp.Body.Close()
		}
	}()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return within 5s of cancellation")
	}
}

func TestHelpListsSettingsWithEnvNames(t *testing.T) {
	_, set := simulator.NewSettings()
	var out bytes.Buffer
	if err := set.Parse([]string{"--help"}, &out); err == nil {
		t.Fatal("help did not stop parsing")
	}
	for _, want := range []string{"ORDERFLEET_SIM_LISTEN", "127.0.0.1:9180", "ORDERFLEET_ADMIN_ADDR", "127.0.0.1:9181",
		"ORDERFLEET_SIM_SCENARIOS", "ORDERFLEET_CALLBACK_SECRETS"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help lacks %s", want)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	must(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(t, err)
	return string(b)
}
