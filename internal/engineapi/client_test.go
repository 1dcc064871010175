package engineapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// recorder serves canned v2 answers and keeps every request body it saw, by path.
type recorder struct {
	bodies map[string][]map[string]any
	auth   []string
	answer func(path string, body map[string]any) (int, any)
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	var body map[string]any
	_ = json.NewDecoder(req.Body).Decode(&body)
	r.bodies[req.URL.Path] = append(r.bodies[req.URL.Path], body)
	r.auth = append(r.auth, req.Header.Get("Authorization"))
	status, out := r.answer(req.URL.Path, body)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(out)
}

func serve(t *testing.T, answer func(path string, body map[string]any) (int, any)) (*recorder, string) {
	t.Helper()
	r := &recorder{bodies: map[string][]map[string]any{}, answer: answer}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return r, srv.URL
}

func TestProcessInstancesByKeysIsOneSearchWithStringKeys(t *testing.T) {
	rec, url := serve(t, func(string, map[string]any) (int, any) {
		return 200, map[string]any{
			"items": []map[string]any{
				{"processInstanceKey": "2251799813685249", "state": "ACTIVE", "hasIncident": true},
				{"processInstanceKey": "2251799813685300", "state": "TERMINATED"},
				{"processInstanceKey": "99", "state": "ACTIVE"}, // not asked for: must not appear
			},
			"page": map[string]any{"totalItems": 2},
		}
	})
	got, err := New(url, BearerToken("t0k")).ProcessInstancesByKeys(context.Background(), []int64{2251799813685249, 2251799813685300, 7})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rec.bodies["/v2/process-instances/search"]); n != 1 {
		t.Fatalf("searches = %d, want 1", n)
	}
	in := rec.bodies["/v2/process-instances/search"][0]["filter"].(map[string]any)["processInstanceKey"].(map[string]any)["$in"].([]any)
	if len(in) != 3 || in[0] != "2251799813685249" || in[2] != "7" {
		t.Errorf("filter $in = %v, want the three keys as strings", in)
	}
	if pi := got[2251799813685249]; pi.State != StateActive || !pi.HasIncident {
		t.Errorf("instance 2251799813685249 = %+v", pi)
	}
	if _, ok := got[7]; ok || len(got) != 2 {
		t.Errorf("got %d instances (%v); an unknown key must be absent", len(got), got)
	}
	if rec.auth[0] != "Bearer t0k" {
		t.Errorf("Authorization = %q", rec.auth[0])
	}
}

func TestSearchReadsEveryPage(t *testing.T) {
	rec, url := serve(t, func(_ string, body map[string]any) (int, any) {
		from := int(body["page"].(map[string]any)["from"].(float64))
		n := pageLimit
		if from >= pageLimit {
			n = 5
		}
		items := make([]map[string]any, n)
		for i := range items {
			items[i] = map[string]any{"elementInstanceKey": from + n - i, "elementId": "e", "state": "COMPLETED"}
		}
		return 200, map[string]any{"items": items, "page": map[string]any{"totalItems": pageLimit + 5}}
	})
	items, err := New(url, nil).ElementInstances(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != pageLimit+5 || len(rec.bodies["/v2/element-instances/search"]) != 2 {
		t.Fatalf("items %d over %d requests, want %d over 2", len(items), len(rec.bodies["/v2/element-instances/search"]), pageLimit+5)
	}
	for i := 1; i < len(items); i++ {
		if items[i-1].Key > items[i].Key {
			t.Fatalf("element instances not oldest first at %d: %d > %d", i, items[i-1].Key, items[i].Key)
		}
	}
}

func TestProcessInstanceNotFound(t *testing.T) {
	_, url := serve(t, func(string, map[string]any) (int, any) {
		return 404, map[string]any{"status": 404, "title": "NOT_FOUND"}
	})
	_, err := New(url, nil).ProcessInstance(context.Background(), 42)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestInstancesWithVariableValuesKeepsRootScopeOnly(t *testing.T) {
	rec, url := serve(t, func(string, map[string]any) (int, any) {
		return 200, map[string]any{"items": []map[string]any{
			{"name": "orderId", "value": `"a"`, "processInstanceKey": "10", "scopeKey": "10"},
			{"name": "orderId", "value": `"a"`, "processInstanceKey": "10", "scopeKey": "11"},
			{"name": "orderId", "value": `"b"`, "processInstanceKey": "20", "scopeKey": "20"},
		}, "page": map[string]any{"totalItems": 3}}
	})
	got, err := New(url, nil).InstancesWithVariableValues(context.Background(), "orderId", []any{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	if len(got[`"a"`]) != 1 || got[`"a"`][0] != 10 || len(got[`"b"`]) != 1 || got[`"b"`][0] != 20 {
		t.Errorf("got %v", got)
	}
	f := rec.bodies["/v2/variables/search"][0]["filter"].(map[string]any)
	if f["name"] != "orderId" || len(f["value"].(map[string]any)["$in"].([]any)) != 2 {
		t.Errorf("filter = %v", f)
	}
}
