package deploy

import (
	"net"
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

type scrapeConfig struct {
	Global struct {
		ScrapeInterval string `yaml:"scrape_interval"`
	} `yaml:"global"`
	ScrapeConfigs []struct {
		JobName       string `yaml:"job_name"`
		MetricsPath   string `yaml:"metrics_path"`
		StaticConfigs []struct {
			Targets []string `yaml:"targets"`
		} `yaml:"static_configs"`
	} `yaml:"scrape_configs"`
}

// targets maps each job to its metrics path and targets.
func loadScrapeTargets(t *testing.T, file string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var cfg scrapeConfig
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("%s does not parse: %v", file, err)
	}
	out := map[string][]string{}
	for _, sc := range cfg.ScrapeConfigs {
		if _, dup := out[sc.JobName]; dup {
			t.Errorf("%s: job %s twice", file, sc.JobName)
		}
		path := sc.MetricsPath
		if path == "" {
			path = "/metrics"
		}
		out[sc.JobName] = []string{path}
		for _, s := range sc.StaticConfigs {
			out[sc.JobName] = append(out[sc.JobName], s.Targets...)
		}
	}
	return out
}

// The local Prometheus scrapes each binary where its default admin listener is (--help says where)
// and the engine where deploy/local/lib.sh puts its management port.
func TestLocalPrometheusScrapesEveryBinaryAndTheEngine(t *testing.T) {
	jobs := loadScrapeTargets(t, "prometheus/prometheus-local.yml")
	for _, name := range services(t) {
		want := help(t, name)["ORDERFLEET_ADMIN_ADDR"]
		if got := jobs[name]; len(got) != 2 || got[0] != "/metrics" || got[1] != want {
			t.Errorf("prometheus-local.yml job %s = %v, want /metrics on %s (%s --help)", name, got, want, name)
		}
	}
	lib, err := os.ReadFile("local/lib.sh")
	if err != nil {
		t.Fatal(err)
	}
	port := regexp.MustCompile(`ENGINE_MGMT_PORT=\$\{ORDERFLEET_ENGINE_MGMT_PORT:-(\d+)\}`).FindSubmatch(lib)
	if port == nil {
		t.Fatal("local/lib.sh sets no ENGINE_MGMT_PORT default")
	}
	if got := jobs["engine"]; len(got) != 2 || got[0] != "/metrics" || got[1] != "127.0.0.1:"+string(port[1]) {
		t.Errorf("prometheus-local.yml job engine = %v, want /metrics on 127.0.0.1:%s", got, port[1])
	}
	// The component script rewrites exactly this address when the management port is moved.
	script, err := os.ReadFile("local/components/prometheus.sh")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(script), `s/127\.0\.0\.1:`+string(port[1])+`/`) {
		t.Error("components/prometheus.sh does not rewrite the engine management address of prometheus-local.yml")
	}
}

// The compose Prometheus scrapes each service on the port its ORDERFLEET_ADMIN_ADDR opens.
func TestComposePrometheusScrapesEveryService(t *testing.T) {
	jobs := loadScrapeTargets(t, "prometheus/prometheus.yml")
	c := loadCompose(t)
	for _, name := range services(t) {
		addr, _ := c.Services[name].Environment["ORDERFLEET_ADMIN_ADDR"].(string)
		if addr == "" {
			addr = help(t, name)["ORDERFLEET_ADMIN_ADDR"]
		}
		_, port, err := net.SplitHostPort(addr)
		if err != nil {
			t.Errorf("service %s: admin address %q: %v", name, addr, err)
			continue
		}
		if got := jobs[name]; len(got) != 2 || got[1] != name+":"+port {
			t.Errorf("prometheus.yml job %s = %v, want %s:%s", name, got, name, port)
		}
	}
	if got := jobs["engine"]; len(got) != 2 || got[0] != "/metrics" || got[1] != "engine:9600" {
		t.Errorf("prometheus.yml job engine = %v, want /metrics on engine:9600", got)
	}
	for job, got := range jobs {
		host, _, _ := strings.Cut(got[1], ":")
		if _, ok := c.Services[host]; !ok {
			t.Errorf("prometheus.yml job %s scrapes %s, which is no compose service", job, got[1])
		}
	}
}
