package bpmnsvg

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/order-fulfillment-v1.svg from the BPMN")

const (
	bpmnPath = "../../bpmn/order-fulfillment-v1.bpmn"
	svgPath  = "../../docs/order-fulfillment-v1.svg"
)

// The README shows docs/order-fulfillment-v1.svg; this keeps it drawn from the current BPMN.
func TestDiagramImageIsUpToDate(t *testing.T) {
	src, err := os.ReadFile(bpmnPath)
	if err != nil {
		t.Fatal(err)
	}
	svg, err := Render(src)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(svgPath, svg, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(svgPath)
	if err != nil {
		t.Fatalf("%v (go test ./internal/bpmnsvg -update draws it)", err)
	}
	if string(want) != string(svg) {
		t.Fatalf("%s is stale: the BPMN changed; run go test ./internal/bpmnsvg -update", filepath.Base(svgPath))
	}
}

// Every flow node and sequence flow of the process is drawn, by id.
func TestEveryElementIsDrawn(t *testing.T) {
	src, err := os.ReadFile(bpmnPath)
	if err != nil {
		t.Fatal(err)
	}
	d, err := parse(src)
	if err != nil {
		t.Fatal(err)
	}
	svg, err := Render(src)
	if err != nil {
		t.Fatal(err)
	}
	drawn := 0
	for id, e := range d.elements {
		if !strings.HasSuffix(e.Kind, "Task") && !strings.HasSuffix(e.Kind, "Event") && !strings.HasSuffix(e.Kind, "Gateway") &&
			e.Kind != "subProcess" && e.Kind != "sequenceFlow" {
			continue
		}
		if !strings.Contains(string(svg), `id="`+id+`"`) {
			t.Errorf("%s %s is not in the SVG", e.Kind, id)
		}
		drawn++
	}
	if drawn < 50 {
		t.Fatalf("only %d elements found in the BPMN; the parser lost some", drawn)
	}
}

func TestRenderRefusesAFileWithoutDiagram(t *testing.T) {
	_, err := Render([]byte(`<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p"/></definitions>`))
	if err == nil {
		t.Fatal("a BPMN file without DI rendered without error")
	}
}
