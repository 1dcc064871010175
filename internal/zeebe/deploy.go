package zeebe

import (
	"context"
	"fmt"

	"github.com/camunda/zeebe/clients/go/v8/pkg/zbc"
)

// Resource is one BPMN file to deploy: its name (the resource name the engine shows) and content.
type Resource struct {
	Name    string
	Content []byte
}

// Deployed describes a process definition the broker holds after a deployment.
type Deployed struct {
	BPMNProcessID string
	Version       int32
	Key           int64
}

// Deploy sends the resources in one deployment. Zeebe keeps the version unchanged when the
// content is byte-identical, so deploying on every start is safe.
func Deploy(ctx context.Context, client zbc.Client, resources ...Resource) ([]Deployed, error) {
	if len(resources) == 0 {
		return nil, ErrNoResources
	}
	cmd := client.NewDeployResourceCommand()
	for _, r := range resources {
		cmd = cmd.AddResource(r.Content, r.Name)
	}
	resp, err := cmd.Send(ctx)
	if err != nil {
		return nil, fmt.Errorf("deploy BPMN: %w", err)
	}
	var out []Deployed
	for _, d := range resp.GetDeployments() {
		if p := d.GetProcess(); p != nil {
			out = append(out, Deployed{BPMNProcessID: p.GetBpmnProcessId(), Version: p.GetVersion(), Key: p.GetProcessDefinitionKey()})
		}
	}
	return out, nil
}
