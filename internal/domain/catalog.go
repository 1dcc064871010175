package domain

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
)

//go:embed catalog/catalog.json
var catalogJSON []byte

// TaskDefinition is a task type with its default owner and policies.
type TaskDefinition struct {
	Type         TaskType
	OwnerSystem  string
	Mode         ExecutionMode
	Retry        RetryPolicy
	Timeout      TimeoutPolicy
	Compensation CompensationPolicy
}

// TaskTemplate is one task a product's decomposition creates for an action.
type TaskTemplate struct {
	Key       string
	Component string
	Optional  bool
	DependsOn []string // keys of templates of the same action
	TaskDefinition
}

// Product is a sellable product and how each action on it decomposes.
type Product struct {
	Code               string
	Name               string
	Kind               string
	ParentProducts     []string // non-empty: an add-on whose parent must be active
	RequiredAttributes map[ItemAction][]string
	Templates          map[ItemAction][]TaskTemplate
}

// IsAddOn reports whether the product hangs off a parent product.
func (p Product) IsAddOn() bool { return len(p.ParentProducts) > 0 }

// Catalog is the validated product catalog. Decomposition rules live here as
// data so adding a product changes JSON, not BPMN or code.
type Catalog struct {
	Version   string
	taskTypes map[TaskType]TaskDefinition
	products  map[string]Product
}

// LoadCatalog parses the catalog embedded in the binary.
func LoadCatalog() (*Catalog, error) { return ParseCatalog(catalogJSON) }

// ParseCatalog parses and validates catalog JSON; every template's graph is
// checked so a bad catalog fails at start-up, not mid-order.
func ParseCatalog(data []byte) (*Catalog, error) {
	var spec catalogSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, Errorf(EINVALID, "catalog is not valid JSON: %v", err)
	}
	c := &Catalog{Version: spec.Version, taskTypes: map[TaskType]TaskDefinition{}, products: map[string]Product{}}
	for _, ts := range spec.TaskTypes {
		def, err := buildTaskDefinition(ts)
		if err != nil {
			return nil, fmt.Errorf("catalog task type %s: %w", ts.Type, err)
		}
		if _, dup := c.taskTypes[def.Type]; dup {
			return nil, Errorf(EINVALID, "catalog defines task type %s twice", def.Type)
		}
		c.taskTypes[def.Type] = def
	}
	for _, def := range c.taskTypes {
		if ct := def.Compensation.CompensationTaskType; ct != "" {
			if _, ok := c.taskTypes[ct]; !ok {
				return nil, Errorf(EINVALID, "task type %s compensates with unknown %s", def.Type, ct)
			}
		}
	}
	for _, ps := range spec.Products {
		p, err := c.buildProduct(ps)
		if err != nil {
			return nil, fmt.Errorf("catalog product %s: %w", ps.Code, err)
		}
		if _, dup := c.products[p.Code]; dup {
			return nil, Errorf(EINVALID, "catalog defines product %s twice", p.Code)
		}
		c.products[p.Code] = p
	}
	for _, p := range c.products {
		for _, parent := range p.ParentProducts {
			if _, ok := c.products[parent]; !ok {
				return nil, Errorf(EINVALID, "product %s names unknown parent %s", p.Code, parent)
			}
		}
	}
	return c, nil
}

func buildTaskDefinition(ts taskTypeSpec) (TaskDefinition, error) {
	if ts.Type == "" || ts.OwnerSystem == "" || !ts.ExecutionMode.Valid() {
		return TaskDefinition{}, Errorf(EINVALID, "needs type, ownerSystem and a valid executionMode")
	}
	if ts.Retry == nil || ts.Timeout == nil || ts.Compensation == nil {
		return TaskDefinition{}, Errorf(EINVALID, "needs retry, timeout and compensation policies")
	}
	def := TaskDefinition{Type: ts.Type, OwnerSystem: ts.OwnerSystem, Mode: ts.ExecutionMode}
	var err error
	if def.Retry, err = ts.Retry.policy(); err != nil {
		return def, err
	}
	if def.Timeout, err = ts.Timeout.policy(); err != nil {
		return def, err
	}
	def.Compensation, err = ts.Compensation.policy()
	return def, err
}

func (c *Catalog) buildProduct(ps productSpec) (Product, error) {
	if ps.Code == "" {
		return Product{}, Errorf(EINVALID, "product needs a code")
	}
	p := Product{
		Code: ps.Code, Name: ps.Name, Kind: ps.Kind, ParentProducts: ps.ParentProducts,
		RequiredAttributes: ps.RequiredAttributes, Templates: map[ItemAction][]TaskTemplate{},
	}
	for action, specs := range ps.Decompositions {
		if !action.Valid() {
			return p, Errorf(EINVALID, "unknown action %q", action)
		}
		nodes := make([]GraphNode, 0, len(specs))
		for _, s := range specs {
			t, err := c.buildTemplate(s)
			if err != nil {
				return p, fmt.Errorf("%s template %s: %w", action, s.Key, err)
			}
			p.Templates[action] = append(p.Templates[action], t)
			nodes = append(nodes, GraphNode{ID: s.Key, DependsOn: s.DependsOn})
		}
		if len(nodes) == 0 {
			return p, Errorf(EINVALID, "%s has no tasks", action)
		}
		if err := ValidateGraph(nodes); err != nil {
			return p, fmt.Errorf("%s: %w", action, err)
		}
	}
	return p, nil
}

func (c *Catalog) buildTemplate(s templateSpec) (TaskTemplate, error) {
	def, ok := c.taskTypes[s.TaskType]
	if !ok {
		return TaskTemplate{}, Errorf(EINVALID, "unknown task type %q", s.TaskType)
	}
	t := TaskTemplate{Key: s.Key, Component: s.Component, Optional: s.Optional, DependsOn: s.DependsOn, TaskDefinition: def}
	if s.OwnerSystem != "" {
		t.OwnerSystem = s.OwnerSystem
	}
	if s.ExecutionMode != "" {
		if !s.ExecutionMode.Valid() {
			return t, Errorf(EINVALID, "unknown execution mode %q", s.ExecutionMode)
		}
		t.Mode = s.ExecutionMode
	}
	var err error
	if s.Retry != nil {
		if t.Retry, err = s.Retry.policy(); err != nil {
			return t, err
		}
	}
	if s.Timeout != nil {
		if t.Timeout, err = s.Timeout.policy(); err != nil {
			return t, err
		}
	}
	if s.Compensation != nil {
		if t.Compensation, err = s.Compensation.policy(); err != nil {
			return t, err
		}
	}
	if ct := t.Compensation.CompensationTaskType; ct != "" {
		if _, ok := c.taskTypes[ct]; !ok {
			return t, Errorf(EINVALID, "compensates with unknown task type %s", ct)
		}
	}
	return t, nil
}

// TaskDefinition returns the defaults of a task type.
func (c *Catalog) TaskDefinition(t TaskType) (TaskDefinition, bool) {
	d, ok := c.taskTypes[t]
	return d, ok
}

// TaskTypes lists the catalog's task types, sorted.
func (c *Catalog) TaskTypes() []TaskType {
	out := make([]TaskType, 0, len(c.taskTypes))
	for t := range c.taskTypes {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// ProductCodes lists the catalog's products, sorted.
func (c *Catalog) ProductCodes() []string {
	out := make([]string, 0, len(c.products))
	for code := range c.products {
		out = append(out, code)
	}
	slices.Sort(out)
	return out
}

// Product returns a product by code.
func (c *Catalog) Product(code string) (Product, error) {
	p, ok := c.products[code]
	if !ok {
		return Product{}, Errorf(ENOTFOUND, "product %s is not in the catalog", code)
	}
	return p, nil
}
