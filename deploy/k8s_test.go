package deploy

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// k8sObject holds the fields of the manifests the checks read; the rest is ignored.
type k8sObject struct {
	file       string
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Data       map[string]string `yaml:"data"`
	StringData map[string]string `yaml:"stringData"`
	Resources  []string          `yaml:"resources"`
	Images     []struct {
		Name string `yaml:"name"`
	} `yaml:"images"`
	Spec struct {
		Selector struct {
			MatchLabels map[string]string `yaml:"matchLabels"`
		} `yaml:"selector"`
		Template struct {
			Metadata struct {
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"metadata"`
			Spec struct {
				Containers []k8sContainer `yaml:"containers"`
			} `yaml:"spec"`
		} `yaml:"template"`
		// Service
		ServiceSelector map[string]string `yaml:"-"`
		Ports           []struct {
			Name       string `yaml:"name"`
			TargetPort string `yaml:"targetPort"`
		} `yaml:"ports"`
		// HorizontalPodAutoscaler
		ScaleTargetRef struct {
			Kind, Name string
		} `yaml:"scaleTargetRef"`
		Metrics []struct {
			Type string `yaml:"type"`
			Pods *struct {
				Metric struct{ Name string } `yaml:"metric"`
			} `yaml:"pods"`
			External *struct {
				Metric struct{ Name string } `yaml:"metric"`
			} `yaml:"external"`
		} `yaml:"metrics"`
	} `yaml:"spec"`
	raw map[string]any
}

type k8sContainer struct {
	Name    string   `yaml:"name"`
	Image   string   `yaml:"image"`
	Command []string `yaml:"command"`
	EnvFrom []struct {
		ConfigMapRef *struct{ Name string } `yaml:"configMapRef"`
		SecretRef    *struct{ Name string } `yaml:"secretRef"`
	} `yaml:"envFrom"`
	Env []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			SecretKeyRef    *struct{ Name, Key string } `yaml:"secretKeyRef"`
			ConfigMapKeyRef *struct{ Name, Key string } `yaml:"configMapKeyRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	ReadinessProbe *k8sProbe `yaml:"readinessProbe"`
	LivenessProbe  *k8sProbe `yaml:"livenessProbe"`
}

type k8sProbe struct {
	HTTPGet struct {
		Path string `yaml:"path"`
		Port string `yaml:"port"`
	} `yaml:"httpGet"`
}

// loadManifests decodes every document of every deploy/k8s/*.yaml, keyed "Kind/name".
func loadManifests(t *testing.T) (map[string]*k8sObject, []string) {
	t.Helper()
	files, err := filepath.Glob("k8s/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests under deploy/k8s (%v)", err)
	}
	objects := map[string]*k8sObject{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for {
			var node yaml.Node
			if err := dec.Decode(&node); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				t.Fatalf("%s does not parse: %v", f, err)
			}
			o := &k8sObject{file: f}
			if err := node.Decode(o); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if err := node.Decode(&o.raw); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if o.Kind == "Service" {
				sel, _ := o.raw["spec"].(map[string]any)["selector"].(map[string]any)
				o.Spec.ServiceSelector = map[string]string{}
				for k, v := range sel {
					o.Spec.ServiceSelector[k], _ = v.(string)
				}
			}
			key := o.Kind + "/" + o.Metadata.Name
			if _, dup := objects[key]; dup && o.Kind != "Kustomization" {
				t.Errorf("%s defined twice", key)
			}
			objects[key] = o
		}
	}
	return objects, files
}

func TestManifestsAreAllApplied(t *testing.T) {
	objects, files := loadManifests(t)
	var kust *k8sObject
	for _, o := range objects {
		if o.Kind == "Kustomization" {
			kust = o
		}
	}
	if kust == nil {
		t.Fatal("deploy/k8s has no kustomization.yaml")
	}
	for _, f := range files {
		if base := filepath.Base(f); base != "kustomization.yaml" && !slices.Contains(kust.Resources, base) {
			t.Errorf("%s is not listed in kustomization.yaml resources", f)
		}
	}
	for _, r := range kust.Resources {
		if _, err := os.Stat(filepath.Join("k8s", r)); err != nil {
			t.Errorf("kustomization.yaml lists %s: %v", r, err)
		}
	}
}

// Every long-running binary has a Deployment that runs it from the image, with only settings its
// --help lists, ports it listens on, probes and a scrape annotation on its admin port, and a Service.
func TestManifestsDeployEveryBinary(t *testing.T) {
	objects, _ := loadManifests(t)
	var imageNames []string
	for _, o := range objects {
		for _, im := range o.Images {
			imageNames = append(imageNames, im.Name)
		}
	}
	dockerfile, err := os.ReadFile("docker/Dockerfile")
	if err != nil || !strings.Contains(string(dockerfile), "./cmd/...") || !strings.Contains(string(dockerfile), "/orderfleet/") {
		t.Fatalf("deploy/docker/Dockerfile no longer builds ./cmd/... into /orderfleet/ (%v)", err)
	}
	for _, name := range services(t) {
		dep, ok := objects["Deployment/"+name]
		if !ok {
			t.Errorf("cmd/%s has no Deployment in deploy/k8s", name)
			continue
		}
		if len(dep.Spec.Template.Spec.Containers) != 1 {
			t.Errorf("Deployment %s has %d containers, want 1", name, len(dep.Spec.Template.Spec.Containers))
			continue
		}
		c := dep.Spec.Template.Spec.Containers[0]
		if !slices.Equal(c.Command, []string{"/orderfleet/" + name}) {
			t.Errorf("Deployment %s runs %v, want /orderfleet/%s", name, c.Command, name)
		}
		if !slices.Contains(imageNames, c.Image) {
			t.Errorf("Deployment %s uses image %q, which kustomization.yaml does not set (%v)", name, c.Image, imageNames)
		}
		for k, v := range dep.Spec.Selector.MatchLabels {
			if dep.Spec.Template.Metadata.Labels[k] != v {
				t.Errorf("Deployment %s selects %s=%s, which its pods do not carry", name, k, v)
			}
		}
		env := containerEnv(t, objects, name, c)
		known := help(t, name)
		for key := range env {
			if _, ok := known[key]; !ok {
				t.Errorf("Deployment %s sets %s, which %s --help does not list", name, key, name)
			}
		}
		checkPorts(t, objects, name, c, env, known, dep.Spec.Template.Metadata.Annotations)
	}
}

// containerEnv resolves a container's variables: its env list and the ConfigMaps it imports, every
// referenced ConfigMap, Secret and key having to exist.
func containerEnv(t *testing.T, objects map[string]*k8sObject, name string, c k8sContainer) map[string]string {
	env := map[string]string{}
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			cm, ok := objects["ConfigMap/"+from.ConfigMapRef.Name]
			if !ok {
				t.Errorf("Deployment %s imports ConfigMap %s, which does not exist", name, from.ConfigMapRef.Name)
				continue
			}
			for k, v := range cm.Data {
				env[k] = v
			}
		case from.SecretRef != nil:
			t.Errorf("Deployment %s imports a whole Secret; name each variable, so none reaches a binary that ignores it", name)
		}
	}
	for _, e := range c.Env {
		env[e.Name] = e.Value
		if e.ValueFrom == nil {
			continue
		}
		if ref := e.ValueFrom.SecretKeyRef; ref != nil {
			if s, ok := objects["Secret/"+ref.Name]; !ok || s.StringData[ref.Key] == "" && s.Data[ref.Key] == "" {
				t.Errorf("Deployment %s reads %s from secret %s key %s, which does not exist", name, e.Name, ref.Name, ref.Key)
			}
		}
		if ref := e.ValueFrom.ConfigMapKeyRef; ref != nil {
			if cm, ok := objects["ConfigMap/"+ref.Name]; !ok || cm.Data[ref.Key] == "" {
				t.Errorf("Deployment %s reads %s from ConfigMap %s key %s, which does not exist", name, e.Name, ref.Name, ref.Key)
			} else {
				env[e.Name] = cm.Data[ref.Key]
			}
		}
	}
	return env
}

func checkPorts(t *testing.T, objects map[string]*k8sObject, name string, c k8sContainer, env, known, annotations map[string]string) {
	listen := map[string]string{} // setting → port, the manifest's value over the binary's default
	for key, def := range known {
		if v, ok := env[key]; ok {
			def = v
		}
		if strings.HasSuffix(key, "_ADDR") || strings.HasSuffix(key, "_LISTEN") {
			if _, port, err := net.SplitHostPort(def); err == nil {
				listen[key] = port
			}
		}
	}
	named := map[string]string{}
	for _, p := range c.Ports {
		port := strconv.Itoa(p.ContainerPort)
		named[p.Name] = port
		found := false
		for _, lp := range listen {
			found = found || lp == port
		}
		if !found {
			t.Errorf("Deployment %s declares port %s (%s), but %s listens on %v", name, port, p.Name, name, listen)
		}
	}
	if admin := listen["ORDERFLEET_ADMIN_ADDR"]; named["metrics"] != admin || annotations["prometheus.io/port"] != admin ||
		annotations["prometheus.io/scrape"] != "true" || annotations["prometheus.io/path"] != "/metrics" {
		t.Errorf("Deployment %s: admin listener on %s, metrics port %q, scrape annotations %v", name, admin, named["metrics"], annotations)
	}
	for probe, p := range map[string]*k8sProbe{"readiness": c.ReadinessProbe, "liveness": c.LivenessProbe} {
		if p == nil || named[p.HTTPGet.Port] == "" {
			t.Errorf("Deployment %s has no %s probe on a declared port", name, probe)
		}
	}
	svc, ok := objects["Service/"+name]
	if !ok {
		t.Errorf("Deployment %s has no Service", name)
		return
	}
	for _, p := range svc.Spec.Ports {
		if named[p.TargetPort] == "" {
			t.Errorf("Service %s targets port %q, which the container does not name", name, p.TargetPort)
		}
	}
	if len(svc.Spec.ServiceSelector) == 0 {
		t.Errorf("Service %s selects nothing", name)
	}
}

// The autoscaling example scales an existing Deployment on metrics a binary exports.
func TestManifestsAutoscaleOnExportedMetrics(t *testing.T) {
	objects, _ := loadManifests(t)
	exported := exportedMetrics(t)
	hpas := 0
	for _, o := range objects {
		if o.Kind != "HorizontalPodAutoscaler" {
			continue
		}
		hpas++
		if o.APIVersion != "autoscaling/v2" {
			t.Errorf("HPA %s uses %s; custom and external metrics need autoscaling/v2", o.Metadata.Name, o.APIVersion)
		}
		ref := o.Spec.ScaleTargetRef
		if _, ok := objects[ref.Kind+"/"+ref.Name]; !ok || ref.Kind != "Deployment" {
			t.Errorf("HPA %s scales %s/%s, which is no Deployment here", o.Metadata.Name, ref.Kind, ref.Name)
		} else if _, fixed := objects[ref.Kind+"/"+ref.Name].raw["spec"].(map[string]any)["replicas"]; fixed {
			t.Errorf("Deployment %s sets replicas although HPA %s owns the count", ref.Name, o.Metadata.Name)
		}
		if len(o.Spec.Metrics) == 0 {
			t.Errorf("HPA %s has no metrics", o.Metadata.Name)
		}
		for _, m := range o.Spec.Metrics {
			var metric string
			switch {
			case m.Pods != nil:
				metric = m.Pods.Metric.Name
			case m.External != nil:
				metric = m.External.Metric.Name
			}
			if len(exported[metric]) == 0 {
				t.Errorf("HPA %s scales on %s metric %q, which no binary exports", o.Metadata.Name, m.Type, metric)
			}
		}
	}
	if hpas == 0 {
		t.Error("deploy/k8s has no autoscaling example")
	}
}

// The engine runs as two replicas (a leader and a standby that takes over), from the fleet's
// image, on its own database from the Secret, probed on its management port, behind one Service.
func TestManifestsRunTheEngineAsLeaderAndStandby(t *testing.T) {
	objects, _ := loadManifests(t)
	dep, ok := objects["Deployment/engine"]
	if !ok {
		t.Fatal("deploy/k8s has no engine Deployment")
	}
	if r, _ := dep.raw["spec"].(map[string]any)["replicas"].(int); r != 2 {
		t.Errorf("engine replicas = %v, want 2 (leader + standby)", dep.raw["spec"].(map[string]any)["replicas"])
	}
	if len(dep.Spec.Template.Spec.Containers) != 1 {
		t.Fatalf("engine Deployment has %d containers, want 1", len(dep.Spec.Template.Spec.Containers))
	}
	c := dep.Spec.Template.Spec.Containers[0]
	if !slices.Equal(c.Command, []string{"/orderfleet/engine"}) {
		t.Errorf("engine runs %v, want /orderfleet/engine", c.Command)
	}
	env := containerEnv(t, objects, "engine", c)
	if _, ok := env["ENGINE_DATABASE_URL"]; !ok {
		t.Error("engine Deployment sets no ENGINE_DATABASE_URL")
	}
	secret := objects["Secret/orderfleet-secrets"]
	if secret == nil || !strings.Contains(secret.StringData["engine-database-url"], "/engine?") {
		t.Error("secret.example.yaml has no engine-database-url naming the engine's own database")
	}
	named := map[string]int{}
	for _, p := range c.Ports {
		named[p.Name] = p.ContainerPort
	}
	for name, port := range map[string]int{"grpc": 26500, "http": 8080, "management": 9600} {
		if named[name] != port {
			t.Errorf("engine port %s = %d, want %d", name, named[name], port)
		}
	}
	if p := c.ReadinessProbe; p == nil || p.HTTPGet.Port != "management" {
		t.Error("engine has no readiness probe on its management port")
	}
	svc, ok := objects["Service/engine"]
	if !ok || len(svc.Spec.Ports) != 3 {
		t.Errorf("engine Service missing or without its three ports")
	}
	workers := objects["ConfigMap/orderfleet-engine"]
	if workers == nil || workers.Data["ORDERFLEET_ZEEBE_ADDRESS"] != "engine:26500" {
		t.Error("ConfigMap orderfleet-engine does not point the fleet at the engine Service")
	}
}
