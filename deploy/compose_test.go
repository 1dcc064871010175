package deploy

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Command     []string          `yaml:"command"`
		Entrypoint  []string          `yaml:"entrypoint"`
		Environment map[string]any    `yaml:"environment"`
		Ports       []string          `yaml:"ports"`
		DependsOn   any               `yaml:"depends_on"`
		Profiles    []string          `yaml:"profiles"`
		Build       map[string]string `yaml:"build"`
		Volumes     []string          `yaml:"volumes"`
	} `yaml:"services"`
}

func loadCompose(t *testing.T) composeFile {
	t.Helper()
	data, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf("docker-compose.yml does not parse: %v", err)
	}
	if len(c.Services) == 0 {
		t.Fatal("docker-compose.yml has no services")
	}
	return c
}

// binaries lists cmd/ mains; fleetctl is a client and runs as a tools-profile service.
func binaries(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir("../cmd")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names
}

func TestComposeRunsEveryBinary(t *testing.T) {
	c := loadCompose(t)
	for _, name := range binaries(t) {
		svc, ok := c.Services[name]
		if !ok {
			t.Errorf("cmd/%s has no service in docker-compose.yml", name)
			continue
		}
		run := append(append([]string{}, svc.Entrypoint...), svc.Command...)
		if len(run) == 0 || run[0] != "/orderfleet/"+name {
			t.Errorf("service %s runs %v, want /orderfleet/%s", name, run, name)
		}
		if svc.Build["dockerfile"] != "deploy/docker/Dockerfile" {
			t.Errorf("service %s is not built from deploy/docker/Dockerfile", name)
		}
	}
}

func TestComposePinsTheStackVersionsTheLocalScriptsRun(t *testing.T) {
	c := loadCompose(t)
	want := map[string]string{"postgres": "postgres:15", "redis": "redis:7", "kafka": "apache/kafka:4.1.1"}
	for svc, image := range want {
		if got := c.Services[svc].Image; got != image {
			t.Errorf("service %s uses image %q, want %q (the version deploy/local runs)", svc, got, image)
		}
	}
	for name, svc := range c.Services {
		if strings.HasSuffix(svc.Image, ":latest") {
			t.Errorf("service %s uses an unpinned image %s", name, svc.Image)
		}
		for _, p := range svc.Ports {
			if !strings.HasPrefix(p, "127.0.0.1:") {
				t.Errorf("service %s publishes %q beyond loopback", name, p)
			}
		}
		for _, dep := range dependencies(svc.DependsOn) {
			if _, ok := c.Services[dep]; !ok {
				t.Errorf("service %s depends on unknown service %s", name, dep)
			}
		}
	}
}

// TestComposeSetsOnlySettingsTheBinariesKnow reads the binaries' --help: a misspelt ORDERFLEET_* or ENGINE_*
// variable in the compose file would otherwise be silently ignored.
func TestComposeSetsOnlySettingsTheBinariesKnow(t *testing.T) {
	c := loadCompose(t)
	for _, name := range binaries(t) {
		svc := c.Services[name]
		if len(svc.Environment) == 0 {
			continue
		}
		known := help(t, name)
		for key := range svc.Environment {
			ours := strings.HasPrefix(key, "ORDERFLEET_") || strings.HasPrefix(key, "ENGINE_")
			if _, ok := known[key]; ours && !ok {
				t.Errorf("service %s sets %s, which %s --help does not list", name, key, name)
			}
		}
	}
}

// dependencies reads depends_on in either of its compose forms: a list or a map with conditions.
func dependencies(v any) []string {
	var out []string
	switch d := v.(type) {
	case []any:
		for _, x := range d {
			out = append(out, fmt.Sprint(x))
		}
	case map[string]any:
		for k := range d {
			out = append(out, k)
		}
	}
	return out
}

// The default services run our engine, built from the repo, with its own database; Camunda's and
// OpenSearch's images (not open source) run only in the opt-in `camunda` profile, and no default
// service needs them.
func TestComposeRunsOurEngineAndCamundaOnlyInItsProfile(t *testing.T) {
	c := loadCompose(t)
	engine, ok := c.Services["engine"]
	if !ok {
		t.Fatal("docker-compose.yml has no engine service")
	}
	if len(engine.Profiles) != 0 || engine.Build["dockerfile"] != "deploy/docker/Dockerfile" ||
		len(engine.Command) == 0 || engine.Command[0] != "/orderfleet/engine" {
		t.Errorf("engine service: profiles %v, dockerfile %q, command %v", engine.Profiles, engine.Build["dockerfile"], engine.Command)
	}
	if url, _ := engine.Environment["ENGINE_DATABASE_URL"].(string); !strings.Contains(url, "@postgres:5432/engine?") {
		t.Errorf("engine database URL %q is not its own database on the postgres service", url)
	}
	init, err := os.ReadFile("docker/postgres-init/engine.sql")
	if err != nil || !strings.Contains(string(init), "CREATE DATABASE engine") {
		t.Errorf("deploy/docker/postgres-init/engine.sql does not create the engine database (%v)", err)
	}
	// The images a default service may run; anything else belongs in the camunda profile.
	open := []string{"orderfleet:local", "postgres:", "redis:", "apache/kafka:", "prom/prometheus:", "grafana/grafana:"}
	licensed := map[string]bool{}
	for name, svc := range c.Services {
		inProfile := slices.Contains(svc.Profiles, "camunda")
		allowed := slices.ContainsFunc(open, func(prefix string) bool { return strings.HasPrefix(svc.Image, prefix) })
		if !allowed && !inProfile {
			t.Errorf("service %s runs %s outside the camunda profile", name, svc.Image)
		}
		licensed[name] = inProfile
	}
	for name, svc := range c.Services {
		if licensed[name] {
			continue
		}
		for _, dep := range dependencies(svc.DependsOn) {
			if licensed[dep] {
				t.Errorf("default service %s depends on %s, which runs only in the camunda profile", name, dep)
			}
		}
		for key, v := range svc.Environment {
			if s, _ := v.(string); strings.Contains(s, "zeebe:") || strings.Contains(s, "operate:") {
				t.Errorf("default service %s sets %s=%s, an address of the camunda profile", name, key, s)
			}
		}
	}
}
