package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/orderfleet/orderfleet/internal/worker"
)

// readAPI answers the v2 routes fleetctl instance and incidents read, with one instance that
// stopped at an incident our worker raised.
func readAPI(t *testing.T) (string, *[]string) {
	t.Helper()
	var seen []string
	page := func(items ...map[string]any) map[string]any {
		return map[string]any{"items": items, "page": map[string]any{"totalItems": len(items)}}
	}
	incident := map[string]any{"incidentKey": "91", "processInstanceKey": "77", "elementId": "ExecuteTask",
		"errorType": "JOB_NO_RETRIES", "state": "ACTIVE",
		"errorMessage": "partner down [runbook: " + worker.RunbookExternalRejection + "]"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		filter, _ := json.Marshal(body["filter"])
		seen = append(seen, r.Method+" "+r.URL.Path+" "+string(filter))
		var out any
		switch r.URL.Path {
		case "/v2/process-instances/77":
			out = map[string]any{"processInstanceKey": "77", "processDefinitionId": "order-fulfillment",
				"processDefinitionVersion": 3, "state": "ACTIVE", "hasIncident": true}
		case "/v2/element-instances/search":
			out = page(map[string]any{"elementInstanceKey": "80", "elementId": "ExecuteTask", "type": "SERVICE_TASK", "state": "ACTIVE", "hasIncident": true},
				map[string]any{"elementInstanceKey": "78", "elementId": "OrderReceived", "type": "START_EVENT", "state": "COMPLETED"})
		case "/v2/incidents/search":
			out = page(incident)
		case "/v2/variables/search":
			out = page(map[string]any{"name": "orderId", "value": `"o-1"`, "processInstanceKey": "77", "scopeKey": "77"})
		default:
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &seen
}

func TestInstanceShowsElementsIncidentsWithRunbooksAndVariables(t *testing.T) {
	url, _ := readAPI(t)
	out, err := runFleetctl(t, "instance", "77", "--engine-api-url", url)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"order-fulfillment v3", "ACTIVE (incident)", "OrderReceived", "SERVICE_TASK",
		"JOB_NO_RETRIES", worker.RunbookExternalRejection, "orderId", `"o-1"`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "OrderReceived") > strings.Index(out, "ExecuteTask") {
		t.Errorf("elements are not oldest first:\n%s", out)
	}
}

func TestIncidentsOfAnOrderFindItsInstancesByVariable(t *testing.T) {
	url, seen := readAPI(t)
	out, err := runFleetctl(t, "incidents", "--order", "o-1", "--engine-api-url", url, "-o", "json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var got []incidentView
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(got) != 1 || got[0].Runbook != worker.RunbookExternalRejection || got[0].ProcessInstanceKey != 77 {
		t.Errorf("incidents = %+v", got)
	}
	joined := strings.Join(*seen, "\n")
	if !strings.Contains(joined, `/v2/incidents/search {"processInstanceKey":"77","state":"ACTIVE"}`) {
		t.Errorf("incident search not narrowed to the order's instance and open incidents:\n%s", joined)
	}
}

// fleetctl takes the Camunda 8 connection from its flags and the environment, the secret from the
// environment only, and never prints the secret in --help.
func TestFleetctlZeebeConnectionSettings(t *testing.T) {
	t.Setenv("ORDERFLEET_ZEEBE_CLIENT_SECRET", "very-secret-value")
	t.Setenv("ORDERFLEET_ZEEBE_TLS", "true")
	t.Setenv("ORDERFLEET_ZEEBE_TOKEN_AUDIENCE", "zeebe.camunda.io")
	var out strings.Builder
	root := NewRoot(&out, &out)
	root.SetArgs([]string{"--zeebe-client-id", "fleet", "--zeebe-authorization-server-url", "https://idp/token", "--help"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "very-secret-value") || !strings.Contains(out.String(), "--zeebe-client-secret") {
		t.Errorf("help shows the secret or lacks the flag:\n%s", out.String())
	}
	opts := &Options{ZeebeAddress: "gw:443"}
	opts.Zeebe.TLS, opts.Zeebe.ClientID, opts.Zeebe.AuthorizationServerURL, opts.Zeebe.Audience = true, "fleet", "https://idp/token", "zeebe.camunda.io"
	conn := opts.zeebeConnection()
	if conn.ClientSecret != "very-secret-value" || conn.Address != "gw:443" {
		t.Fatalf("connection = %s (secret set: %v)", conn, conn.ClientSecret != "")
	}
	if err := conn.Validate(); err != nil {
		t.Errorf("complete connection: %v", err)
	}
}
