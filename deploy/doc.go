// Package deploy holds what runs orderfleet outside `go test`: the Docker-free local stack scripts
// (local/), the image (docker/), and the tests that keep docker-compose.yml in step with the binaries.
package deploy
