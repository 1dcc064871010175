package model

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/orderfleet/orderfleet/internal/engine/feel"
)

// Parse builds every executable process of one BPMN resource and validates it as Zeebe does at
// deploy. A rejected resource yields DeployErrors naming the resource, each element at fault and
// why; a resource without an executable process is an error too.
func Parse(resourceName string, data []byte) (*Definitions, error) {
	b := &builder{resource: resourceName, attachedTo: map[*Element]string{}, defaults: map[*Element]string{}}
	root, err := readTree(data)
	if err != nil {
		return nil, DeployErrors{{Resource: resourceName, Reason: "invalid XML: " + err.Error()}}
	}
	if !root.isBPMN("definitions") {
		return nil, DeployErrors{{Resource: resourceName, Reason: fmt.Sprintf(
			"root element is {%s}%s, not a BPMN 2.0 definitions (namespace %s)", root.name.Space, root.name.Local, bpmnNS)}}
	}
	b.checkDuplicateIDs(root)
	b.collectRefs(root)

	defs := &Definitions{ResourceName: resourceName, Checksum: sha256.Sum256(data)}
	for _, k := range root.kids {
		if !k.isBPMN("process") || k.attrOr("isExecutable", "false") != "true" {
			continue
		}
		defs.Processes = append(defs.Processes, b.buildProcess(k))
	}
	if len(defs.Processes) == 0 && len(b.errs) == 0 {
		b.fail("", "no executable process (a bpmn:process with isExecutable=\"true\")")
	}
	if len(b.errs) > 0 {
		return nil, b.errs
	}
	return defs, nil
}

// builder carries what one Parse call has found so far.
type builder struct {
	resource string
	errs     DeployErrors

	messages map[string]*xnode
	errors   map[string]*xnode
	signals  map[string]*xnode

	proc    *Process
	procIDs map[string]bool // every flow node id of proc, nested ones included
	// References resolved once the whole scope is built.
	attachedTo map[*Element]string // boundary event → attachedToRef
	defaults   map[*Element]string // gateway → default
}

func (b *builder) fail(elementID, format string, args ...any) {
	b.errs = append(b.errs, &DeployError{Resource: b.resource, ElementID: elementID, Reason: fmt.Sprintf(format, args...)})
}

// checkDuplicateIDs walks every BPMN element: ids are unique across the document, as the
// schema's xsd:ID says.
func (b *builder) checkDuplicateIDs(root *xnode) {
	seen := map[string]bool{}
	var walk func(n *xnode)
	walk = func(n *xnode) {
		if n.name.Space == bpmnNS {
			if id := n.id(); id != "" {
				if seen[id] {
					b.fail(id, "duplicate id")
				}
				seen[id] = true
			}
		}
		for _, k := range n.kids {
			walk(k)
		}
	}
	walk(root)
}

// collectRefs indexes the root-level elements that flow nodes reference by id.
func (b *builder) collectRefs(root *xnode) {
	b.messages, b.errors, b.signals = map[string]*xnode{}, map[string]*xnode{}, map[string]*xnode{}
	for _, k := range root.kids {
		switch {
		case k.isBPMN("message"):
			b.messages[k.id()] = k
		case k.isBPMN("error"):
			b.errors[k.id()] = k
		case k.isBPMN("signal"):
			b.signals[k.id()] = k
		}
	}
}

func (b *builder) buildProcess(n *xnode) *Process {
	id := n.id()
	if id == "" {
		b.fail("", "executable process without an id")
	}
	p := &Process{ID: id, Name: n.attrOr("name", ""), Elements: map[string]*Element{}, Flows: map[string]*SequenceFlow{}}
	b.proc = p
	b.procIDs = map[string]bool{}
	collectFlowNodeIDs(n, b.procIDs)
	p.Root = &Element{ID: id, Name: p.Name, Type: ProcessType}
	for _, ext := range n.extensions() {
		switch ext.name.Local {
		case "userTaskForm", "versionTag", "properties":
		default:
			b.fail(id, "zeebe:%s is not supported", ext.name.Local)
		}
	}
	b.buildScope(p.Root, n)
	return p
}

func collectFlowNodeIDs(n *xnode, into map[string]bool) {
	for _, k := range n.kids {
		if k.name.Space == bpmnNS {
			if _, ok := flowNodeTypes[k.name.Local]; ok {
				into[k.id()] = true
				collectFlowNodeIDs(k, into)
			}
		}
	}
}

// expr compiles an attribute value: "=..." is FEEL, anything else static text. what names the
// value in errors; feelOnly rejects static text where Zeebe wants an expression.
func (b *builder) expr(elementID, what, raw string, feelOnly bool) *Expr {
	if src, ok := strings.CutPrefix(raw, "="); ok {
		compiled, err := feel.Parse(src)
		if err != nil {
			b.fail(elementID, "%s: invalid FEEL expression '%s': %v", what, raw, err)
			return nil
		}
		return &Expr{Source: raw, FEEL: compiled}
	}
	if feelOnly {
		b.fail(elementID, "%s must be a FEEL expression (starting with '='), got '%s'", what, raw)
		return nil
	}
	return &Expr{Source: raw, Static: true}
}

func staticExpr(s string) *Expr { return &Expr{Source: s, Static: true} }

// boolAttr reads an xsd:boolean attribute with its default.
func (b *builder) boolAttr(elementID string, n *xnode, name string, def bool) bool {
	v, ok := n.attr(name)
	if !ok {
		return def
	}
	switch strings.TrimSpace(v) {
	case "true", "1":
		return true
	case "false", "0":
		return false
	}
	b.fail(elementID, "attribute %s='%s' is not a boolean", name, v)
	return def
}
