package model

import (
	"fmt"
	"strings"
)

// DeployError is one reason a resource cannot be deployed, naming the element at fault.
type DeployError struct {
	Resource  string
	ElementID string // "" when the fault is the document itself
	Reason    string
}

func (e *DeployError) Error() string {
	if e.ElementID == "" {
		return fmt.Sprintf("%s: %s", e.Resource, e.Reason)
	}
	return fmt.Sprintf("%s: element '%s': %s", e.Resource, e.ElementID, e.Reason)
}

// DeployErrors is every reason found in one resource, in document order; Parse reports them all
// at once so a modeler fixes a diagram in one round.
type DeployErrors []*DeployError

func (es DeployErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

func (es DeployErrors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}
