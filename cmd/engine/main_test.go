package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/zbc"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/engine/store"
	"github.com/orderfleet/orderfleet/internal/engine/store/storetest"
)

func TestConfigFlagsOverEnvOverDefaults(t *testing.T) {
	env := map[string]string{"ENGINE_DATABASE_URL": "postgres://u:secret@h/db", "ENGINE_GRPC_ADDR": "0.0.0.0:1"}
	cfg, err := ParseConfig([]string{"--grpc-addr", "127.0.0.1:2", "--clock-controlled"}, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.GRPCAddr != "127.0.0.1:2" || cfg.DatabaseURL != env["ENGINE_DATABASE_URL"] || !cfg.ClockControlled ||
		cfg.HTTPAddr != "127.0.0.1:8080" || cfg.MaxCommandsInFlight != 1000 {
		t.Fatalf("config: %+v", cfg)
	}
	if m := maskedURL(cfg.DatabaseURL); strings.Contains(m, "secret") {
		t.Fatalf("password not masked: %s", m)
	}
	if _, err := ParseConfig(nil, func(string) string { return "" }, io.Discard); err == nil || !strings.Contains(err.Error(), "ENGINE_DATABASE_URL") {
		t.Fatalf("missing database URL: %v", err)
	}
	var help strings.Builder
	_, _ = ParseConfig([]string{"--help"}, func(string) string { return "" }, &help)
	for _, o := range options {
		if !strings.Contains(help.String(), "--"+o.name) || !strings.Contains(help.String(), o.env) {
			t.Fatalf("--help does not list %s with %s:\n%s", o.name, o.env, help.String())
		}
	}
}

func TestEngineServesGRPCAndREST(t *testing.T) {
	_, url := storetest.NewDatabase(t, store.Migrate)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	m, err := Start(ctx, Config{DatabaseURL: url, GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", ManagementAddr: "127.0.0.1:0",
		ClockControlled: true, MaxCommandsInFlight: 100, LogLevel: "info"}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	client, err := zbc.NewClient(&zbc.ClientConfig{GatewayAddress: m.GRPCAddr(), UsePlaintextConnection: true})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	xml := `<?xml version="1.0"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
<bpmn:process id="wait" isExecutable="true"><bpmn:startEvent id="s"/>
<bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition><bpmn:timeDuration>PT2H</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/><bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/></bpmn:process></bpmn:definitions>`
	if _, err := client.NewDeployResourceCommand().AddResource([]byte(xml), "wait.bpmn").Send(ctx); err != nil {
		t.Fatal(err)
	}
	cmd, _ := client.NewCreateInstanceCommand().BPMNProcessId("wait").LatestVersion().VariablesFromString(`{"n":1}`)
	inst, err := cmd.Send(ctx)
	if err != nil {
		t.Fatal(err)
	}
	search := func() string {
		resp, err := http.Post("http://"+m.HTTPAddr()+"/v2/process-instances/search", "application/json",
			strings.NewReader(`{"filter":{"processDefinitionId":"wait","variables":[{"name":"n","value":"1"}]}}`))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct {
			Items []map[string]any `json:"items"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		if len(body.Items) != 1 || body.Items[0]["processInstanceKey"] != jsonKey(inst.ProcessInstanceKey) {
			t.Fatalf("search: %+v", body.Items)
		}
		return body.Items[0]["state"].(string)
	}
	if st := search(); st != "ACTIVE" {
		t.Fatalf("state before the timer: %s", st)
	}
	resp, err := http.Post("http://"+m.ManagementAddr()+"/actuator/clock/add", "application/json", strings.NewReader(`{"offsetMilli":10800000}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("clock add: %v %v", resp, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for search() != "COMPLETED" {
		if time.Now().After(deadline) {
			t.Fatal("the 2 h timer did not fire after the clock moved 3 h")
		}
		time.Sleep(100 * time.Millisecond)
	}
	hist, err := http.Get("http://" + m.HTTPAddr() + "/engine/process-instances/" + jsonKey(inst.ProcessInstanceKey) + "/history")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(hist.Body)
	hist.Body.Close()
	if !strings.Contains(string(b), `"TIMER"`) || !strings.Contains(string(b), `"ELEMENT_COMPLETED"`) {
		t.Fatalf("history lacks the timer or the completion: %s", b)
	}
}

func TestUnreachableDatabaseFailsWithAClearMessage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err := Start(ctx, Config{DatabaseURL: "postgres://u:pw@127.0.0.1:1/none?connect_timeout=1", GRPCAddr: "127.0.0.1:0",
		HTTPAddr: "127.0.0.1:0", ManagementAddr: "127.0.0.1:0", MaxCommandsInFlight: 1}, zap.NewNop())
	if err == nil || !strings.Contains(err.Error(), "unreachable") || strings.Contains(err.Error(), ":pw@") {
		t.Fatalf("unreachable database: %v", err)
	}
}

func jsonKey(k int64) string {
	b, _ := json.Marshal(k)
	return string(b)
}
