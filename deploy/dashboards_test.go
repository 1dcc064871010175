package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type dashboardPanel struct {
	Title   string `json:"title"`
	Type    string `json:"type"`
	Targets []struct {
		Expr string `json:"expr"`
	} `json:"targets"`
	Datasource *struct {
		UID string `json:"uid"`
	} `json:"datasource"`
	Panels []dashboardPanel `json:"panels"`
}

type dashboard struct {
	UID        string           `json:"uid"`
	Title      string           `json:"title"`
	Panels     []dashboardPanel `json:"panels"`
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

// datasourceUID is the uid the provisioned Prometheus datasource has (grafana/provisioning/datasources).
const datasourceUID = "orderfleet-prometheus"

func loadDashboards(t *testing.T) map[string]dashboard {
	t.Helper()
	files, err := filepath.Glob("grafana/dashboards/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no dashboards under deploy/grafana/dashboards (%v)", err)
	}
	out := map[string]dashboard{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d dashboard
		if err := json.Unmarshal(data, &d); err != nil {
			t.Fatalf("%s does not parse: %v", f, err)
		}
		out[f] = d
	}
	return out
}

// queries lists "panel title" → PromQL of a panel tree, rows' nested panels included.
func queries(panels []dashboardPanel, out map[string][]string) {
	for _, p := range panels {
		for _, tg := range p.Targets {
			if strings.TrimSpace(tg.Expr) != "" {
				out[p.Title] = append(out[p.Title], tg.Expr)
			}
		}
		queries(p.Panels, out)
	}
}

// TestDashboardsQueryOnlyExportedMetrics fails when a panel or a template variable queries a metric
// that no binary exports: a renamed metric would otherwise leave an empty panel nobody notices.
func TestDashboardsQueryOnlyExportedMetrics(t *testing.T) {
	exported := exportedMetrics(t)
	uids := map[string]string{}
	for file, d := range loadDashboards(t) {
		if d.UID == "" || d.Title == "" {
			t.Errorf("%s has no uid or title", file)
		}
		if other, dup := uids[d.UID]; dup {
			t.Errorf("%s and %s share uid %s", file, other, d.UID)
		}
		uids[d.UID] = file
		exprs := map[string][]string{}
		queries(d.Panels, exprs)
		for _, v := range d.Templating.List {
			switch q := v.Query.(type) {
			case string:
				exprs["variable "+v.Name] = append(exprs["variable "+v.Name], q)
			case map[string]any:
				if s, ok := q["query"].(string); ok {
					exprs["variable "+v.Name] = append(exprs["variable "+v.Name], s)
				}
			}
		}
		if len(exprs) == 0 {
			t.Errorf("%s has no queries", file)
		}
		for title, list := range exprs {
			for _, expr := range list {
				names := metricNames(expr)
				if len(names) == 0 {
					t.Errorf("%s, %q: no metric in %q", file, title, expr)
				}
				for _, name := range names {
					if len(exported[name]) == 0 {
						t.Errorf("%s, panel %q queries %s, which no binary exports", file, title, name)
					}
				}
			}
		}
		checkDatasources(t, file, d.Panels)
	}
}

// checkDatasources makes every panel name the provisioned datasource, so none renders "datasource not found".
func checkDatasources(t *testing.T, file string, panels []dashboardPanel) {
	for _, p := range panels {
		if p.Type != "row" && (p.Datasource == nil || p.Datasource.UID != datasourceUID) {
			t.Errorf("%s, panel %q does not use datasource uid %s", file, p.Title, datasourceUID)
		}
		checkDatasources(t, file, p.Panels)
	}
}

// The seed's dashboards (001 §26) each have a panel, found by title.
func TestDashboardsCoverTheSeedViews(t *testing.T) {
	var titles []string
	var walk func([]dashboardPanel)
	walk = func(ps []dashboardPanel) {
		for _, p := range ps {
			titles = append(titles, strings.ToLower(p.Title))
			walk(p.Panels)
		}
	}
	for _, d := range loadDashboards(t) {
		walk(d.Panels)
	}
	views := []string{"orders by fulfillment state", "task backlog by owner system", "task duration percentiles",
		"external callback latency", "fallout opened by category", "compensation failures", "stuck process instances",
		"kafka lag for the workflow event router", "db lock waits on fulfillment tables", "outbox lag", "jobs in flight"}
	for _, v := range views {
		found := false
		for _, title := range titles {
			found = found || strings.Contains(title, v)
		}
		if !found {
			t.Errorf("no dashboard panel shows %q", v)
		}
	}
}
