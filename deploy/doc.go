// Package deploy holds what runs orderfleet outside `go test`: the Docker-free local stack scripts
// (local/), the image (docker/), Kubernetes manifests (k8s/), Prometheus configs and Grafana
// dashboards, and the tests that keep all of them, docker-compose.yml and docs/runbooks.md in step
// with what the binaries really export, listen on and accept.
package deploy
