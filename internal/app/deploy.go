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

// DeployBPMN deploys every embedded model to the gateway at address.
func DeployBPMN(ctx context.Context, address string) ([]zeebe.Deployed, error) {
	client, err := zeebe.Dial(ctx, address)
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
