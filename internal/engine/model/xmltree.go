package model

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Namespaces the parser matches on; the prefix a document binds them to does not matter.
const (
	bpmnNS  = "http://www.omg.org/spec/BPMN/20100524/MODEL"
	zeebeNS = "http://camunda.org/schema/zeebe/1.0"
)

// maxDepth bounds element nesting so a hostile document cannot exhaust the stack of the
// recursive builders.
const maxDepth = 200

// xnode is one XML element with its namespace-resolved name, attributes, children and text.
type xnode struct {
	name  xml.Name
	attrs []xml.Attr
	kids  []*xnode
	text  strings.Builder
}

// readTree decodes the whole document into a tree of xnodes.
func readTree(data []byte) (*xnode, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	var root *xnode
	var stack []*xnode
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) >= maxDepth {
				return nil, fmt.Errorf("elements nested deeper than %d", maxDepth)
			}
			n := &xnode{name: t.Name, attrs: t.Copy().Attr}
			if len(stack) == 0 {
				if root != nil {
					return nil, errors.New("more than one root element")
				}
				root = n
			} else {
				top := stack[len(stack)-1]
				top.kids = append(top.kids, n)
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text.Write(t)
			}
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	if len(stack) > 0 {
		return nil, errors.New("unexpected end of document")
	}
	return root, nil
}

func (n *xnode) isBPMN(local string) bool  { return n.name.Space == bpmnNS && n.name.Local == local }
func (n *xnode) isZeebe(local string) bool { return n.name.Space == zeebeNS && n.name.Local == local }

// attr is an unqualified attribute (BPMN's own attributes are written without a prefix).
func (n *xnode) attr(local string) (string, bool) {
	for _, a := range n.attrs {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

func (n *xnode) attrOr(local, def string) string {
	if v, ok := n.attr(local); ok {
		return v
	}
	return def
}

func (n *xnode) id() string { v, _ := n.attr("id"); return v }

// child is the first child with the given namespace and local name.
func (n *xnode) child(space, local string) *xnode {
	for _, k := range n.kids {
		if k.name.Space == space && k.name.Local == local {
			return k
		}
	}
	return nil
}

// extensions are the zeebe-namespace children of the node's bpmn:extensionElements; other
// namespaces (modeler, Camunda 7, vendor tools) are ignored.
func (n *xnode) extensions() []*xnode {
	ext := n.child(bpmnNS, "extensionElements")
	if ext == nil {
		return nil
	}
	var out []*xnode
	for _, k := range ext.kids {
		if k.name.Space == zeebeNS {
			out = append(out, k)
		}
	}
	return out
}

func (n *xnode) extension(local string) *xnode {
	for _, k := range n.extensions() {
		if k.name.Local == local {
			return k
		}
	}
	return nil
}

func (n *xnode) trimmedText() string { return strings.TrimSpace(n.text.String()) }
