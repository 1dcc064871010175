package deploy

import (
	"net"
	"os"
	"path"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// binds lists a service's bind mounts as host path (relative to the repo) → container path.
func binds(volumes []string) map[string]string {
	out := map[string]string{}
	for _, v := range volumes {
		parts := strings.Split(v, ":")
		if len(parts) < 2 || !(strings.HasPrefix(parts[0], "./") || strings.HasPrefix(parts[0], "/")) {
			continue // a named volume
		}
		out[path.Clean(parts[0])] = parts[1]
	}
	return out
}

func TestComposeMountsFilesThatExist(t *testing.T) {
	for name, svc := range loadCompose(t).Services {
		for host := range binds(svc.Volumes) {
			if _, err := os.Stat("../" + host); err != nil {
				t.Errorf("service %s mounts %s, which does not exist: %v", name, host, err)
			}
		}
	}
}

// Grafana gets the provisioned datasource and the dashboards where the provider looks for them,
// and Prometheus gets its config where --config.file points.
func TestComposeProvisionsGrafanaAndPrometheus(t *testing.T) {
	c := loadCompose(t)
	graf, ok := c.Services["grafana"]
	if !ok {
		t.Fatal("docker-compose.yml has no grafana service")
	}
	mounts := binds(graf.Volumes)
	want := map[string]string{
		"deploy/grafana/provisioning/datasources": "/etc/grafana/provisioning/datasources",
		"deploy/grafana/provisioning/dashboards":  "/etc/grafana/provisioning/dashboards",
	}
	for host, target := range want {
		if mounts[host] != target {
			t.Errorf("grafana mounts %s at %q, want %s", host, mounts[host], target)
		}
	}
	var provider struct {
		Providers []struct {
			Options struct {
				Path string `yaml:"path"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	readYAML(t, "grafana/provisioning/dashboards/orderfleet.yml", &provider)
	if len(provider.Providers) != 1 || mounts["deploy/grafana/dashboards"] != provider.Providers[0].Options.Path {
		t.Errorf("grafana mounts deploy/grafana/dashboards at %q; the dashboard provider reads %+v",
			mounts["deploy/grafana/dashboards"], provider.Providers)
	}
	var ds struct {
		Datasources []struct {
			UID, Type, URL string
		} `yaml:"datasources"`
	}
	readYAML(t, "grafana/provisioning/datasources/prometheus.yml", &ds)
	if len(ds.Datasources) != 1 || ds.Datasources[0].UID != datasourceUID || ds.Datasources[0].Type != "prometheus" {
		t.Fatalf("datasources %+v, want one prometheus datasource with uid %s", ds.Datasources, datasourceUID)
	}
	if host := strings.TrimPrefix(ds.Datasources[0].URL, "http://"); !strings.HasPrefix(host, "prometheus:") {
		t.Errorf("datasource URL %s is not the compose prometheus service", ds.Datasources[0].URL)
	}
	prom, ok := c.Services["prometheus"]
	if !ok {
		t.Fatal("docker-compose.yml has no prometheus service")
	}
	config := binds(prom.Volumes)["deploy/prometheus/prometheus.yml"]
	if config == "" || !slices.Contains(prom.Command, "--config.file="+config) {
		t.Errorf("prometheus mounts its config at %q but runs %v", config, prom.Command)
	}
}

// A fleet service publishes only ports its binary listens on: a listener setting (…_ADDR,
// …_LISTEN) set in the compose file, or its default from --help.
func TestComposePublishesOnlyPortsTheBinariesListenOn(t *testing.T) {
	c := loadCompose(t)
	for _, name := range services(t) {
		svc := c.Services[name]
		listeners := map[string]string{}
		for key, def := range help(t, name) {
			listeners[key] = def
		}
		for key, v := range svc.Environment {
			if s, ok := v.(string); ok {
				listeners[key] = s
			}
		}
		var ports []string
		for key, addr := range listeners {
			if strings.HasSuffix(key, "_ADDR") || strings.HasSuffix(key, "_LISTEN") {
				if _, port, err := net.SplitHostPort(addr); err == nil {
					ports = append(ports, port)
				}
			}
		}
		for _, p := range svc.Ports {
			parts := strings.Split(p, ":")
			if inside := parts[len(parts)-1]; !slices.Contains(ports, inside) {
				t.Errorf("service %s publishes %s, but %s listens on %v", name, p, name, ports)
			}
		}
	}
}

func readYAML(t *testing.T, file string, v any) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s does not parse: %v", file, err)
	}
}
