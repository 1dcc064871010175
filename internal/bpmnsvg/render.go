// Package bpmnsvg draws a BPMN file's diagram (its BPMN DI shapes and edges) as a plain SVG, so
// the README can show the process without a browser or Camunda Modeler. It draws what readers need
// to follow the flow: tasks, events, gateways, subprocesses, sequence flows and names.
package bpmnsvg

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"sort"
	"strings"
)

type bounds struct{ X, Y, W, H float64 }

type element struct {
	ID, Kind, Name, EventKind string
	Interrupting              bool
}

type shape struct {
	Element  string
	Box      bounds
	Label    *bounds
	Expanded bool
}

type edge struct {
	Element string
	Points  [][2]float64
}

type diagram struct {
	elements map[string]element
	shapes   []shape
	edges    []edge
}

// parse walks the XML once, keeping flow elements by id and the DI shapes and edges in order.
func parse(src []byte) (*diagram, error) {
	d := &diagram{elements: map[string]element{}}
	dec := xml.NewDecoder(bytes.NewReader(src))
	var stack []*element
	var curShape *shape
	var curEdge *edge
	inLabel := false
	for {
		tok, err := dec.Token()
		if err != nil {
			if err.Error() == "EOF" {
				break
			}
			return nil, fmt.Errorf("bpmn: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			attr := func(name string) string {
				for _, a := range t.Attr {
					if a.Name.Local == name {
						return a.Value
					}
				}
				return ""
			}
			local := t.Name.Local
			switch {
			case local == "BPMNShape":
				curShape = &shape{Element: attr("bpmnElement"), Expanded: attr("isExpanded") == "true"}
			case local == "BPMNEdge":
				curEdge = &edge{Element: attr("bpmnElement")}
			case local == "BPMNLabel":
				inLabel = true
			case local == "Bounds" && curShape != nil:
				b := bounds{num(attr("x")), num(attr("y")), num(attr("width")), num(attr("height"))}
				if inLabel {
					curShape.Label = &b
				} else {
					curShape.Box = b
				}
			case local == "waypoint" && curEdge != nil:
				curEdge.Points = append(curEdge.Points, [2]float64{num(attr("x")), num(attr("y"))})
			case strings.HasSuffix(local, "EventDefinition") && len(stack) > 0 && stack[len(stack)-1] != nil:
				stack[len(stack)-1].EventKind = strings.TrimSuffix(local, "EventDefinition")
			case t.Name.Space == "http://www.omg.org/spec/BPMN/20100524/MODEL" && attr("id") != "":
				e := &element{ID: attr("id"), Kind: local, Name: attr("name"), Interrupting: attr("cancelActivity") != "false" && attr("isInterrupting") != "false"}
				d.elements[e.ID] = *e
				stack = append(stack, e)
				continue
			}
			stack = append(stack, nil)
		case xml.EndElement:
			switch t.Name.Local {
			case "BPMNShape":
				d.shapes = append(d.shapes, *curShape)
				curShape = nil
			case "BPMNEdge":
				d.edges = append(d.edges, *curEdge)
				curEdge = nil
			case "BPMNLabel":
				inLabel = false
			}
			if n := len(stack); n > 0 {
				if top := stack[n-1]; top != nil {
					d.elements[top.ID] = *top
				}
				stack = stack[:n-1]
			}
		}
	}
	return d, nil
}

func num(s string) float64 {
	var f float64
	_, _ = fmt.Sscan(s, &f)
	return f
}

// Render returns the SVG of the BPMN document's diagram.
func Render(src []byte) ([]byte, error) {
	d, err := parse(src)
	if err != nil {
		return nil, err
	}
	if len(d.shapes) == 0 {
		return nil, fmt.Errorf("bpmn: the file has no diagram (BPMN DI) to draw")
	}
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	grow := func(x, y float64) {
		minX, minY, maxX, maxY = math.Min(minX, x), math.Min(minY, y), math.Max(maxX, x), math.Max(maxY, y)
	}
	for _, s := range d.shapes {
		grow(s.Box.X, s.Box.Y)
		grow(s.Box.X+s.Box.W, s.Box.Y+s.Box.H)
		if s.Label != nil {
			grow(s.Label.X+s.Label.W, s.Label.Y+s.Label.H)
		}
	}
	var b strings.Builder
	const pad = 20
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="%.0f %.0f %.0f %.0f" font-family="Arial, sans-serif" font-size="12">`+"\n",
		minX-pad, minY-pad, maxX-minX+2*pad, maxY-minY+2*pad)
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#333"/></marker></defs>` + "\n")
	fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill="white"/>`+"\n", minX-pad, minY-pad, maxX-minX+2*pad, maxY-minY+2*pad)
	// Expanded subprocesses first, largest first, so what they contain is drawn over them.
	shapes := append([]shape(nil), d.shapes...)
	sort.SliceStable(shapes, func(i, j int) bool {
		ei, ej := shapes[i].Expanded, shapes[j].Expanded
		if ei != ej {
			return ei
		}
		return ei && shapes[i].Box.W*shapes[i].Box.H > shapes[j].Box.W*shapes[j].Box.H
	})
	for _, s := range shapes {
		drawShape(&b, d.elements[s.Element], s)
	}
	for _, e := range d.edges {
		drawEdge(&b, d.elements[e.Element], e)
	}
	b.WriteString("</svg>\n")
	return []byte(b.String()), nil
}
