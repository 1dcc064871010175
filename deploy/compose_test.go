package deploy

import (
	"fmt"
	"os"
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
	want := map[string]string{
		"postgres": "postgres:15", "redis": "redis:7", "kafka": "apache/kafka:4.1.1",
		"opensearch": "opensearchproject/opensearch:2.19.1", "zeebe": "camunda/zeebe:8.6.0", "operate": "camunda/operate:8.6.0",
	}
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

// TestComposeSetsOnlySettingsTheBinariesKnow reads the binaries' --help: a misspelt ORDERFLEET_*
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
			if _, ok := known[key]; strings.HasPrefix(key, "ORDERFLEET_") && !ok {
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
