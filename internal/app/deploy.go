package app

import (
	"context"
	"io/fs"

	"github.com/orderfleet/orderfleet/bpmn"
	"github.com/orderfleet/orderfleet/internal/zeebe"
)

// BPMNResources reads the embedded process models.
func BPMNResources() ([]zeebe.Resource, error) {
	var out []zeebe.Resource
	err := fs.WalkDir(bpmn.Files, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		content, err := fs.ReadFile(bpmn.Files, path)
		out = append(out, zeebe.Resource{Name: path, Content: content})
		return err
	})
	return out, err
}

// DeployBPMN deploys every embedded model to the plaintext gateway at address (the local engine).
func DeployBPMN(ctx context.Context, address string) ([]zeebe.Deployed, error) {
	return DeployBPMNTo(ctx, zeebe.Connection{Address: address})
}

// DeployBPMNTo deploys every embedded model over the connection (TLS, OAuth for Camunda 8).
func DeployBPMNTo(ctx context.Context, conn zeebe.Connection) ([]zeebe.Deployed, error) {
	client, err := zeebe.DialConnection(ctx, conn)
	if err != nil {
		return nil, err
	}
	defer client.Close()
	resources, err := BPMNResources()
	if err != nil {
		return nil, err
	}
	return zeebe.Deploy(ctx, client, resources...)
}
