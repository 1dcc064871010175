package deploy

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/worker"
)

var (
	runbookRef     = regexp.MustCompile(`docs/runbooks\.md#([A-Za-z0-9_-]*)`)
	markdownHeader = regexp.MustCompile(`(?m)^#{1,6}\s+(.+?)\s*$`)
	slugDrop       = regexp.MustCompile(`[^a-z0-9 _-]`)
)

// runbookAnchors are the anchors GitHub gives docs/runbooks.md's headings: lower case, punctuation
// dropped, spaces turned into hyphens.
func runbookAnchors(t *testing.T) map[string]bool {
	t.Helper()
	data, err := os.ReadFile("../docs/runbooks.md")
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	for _, m := range markdownHeader.FindAllStringSubmatch(string(data), -1) {
		slug := strings.ReplaceAll(slugDrop.ReplaceAllString(strings.ToLower(m[1]), ""), " ", "-")
		if anchors[slug] {
			t.Errorf("docs/runbooks.md has two headings with anchor #%s", slug)
		}
		anchors[slug] = true
	}
	// In-page links ([text](#anchor)) count as references too.
	for _, m := range regexp.MustCompile(`\]\(#([a-z0-9_-]+)\)`).FindAllStringSubmatch(string(data), -1) {
		if !anchors[m[1]] {
			t.Errorf("docs/runbooks.md links to #%s, which no heading has", m[1])
		}
	}
	return anchors
}

// Every runbook reference the code, the docs and the dashboards make leads to a heading: the
// references written out in files, the worker's incident runbooks, and each fallout category's.
func TestRunbookReferencesExist(t *testing.T) {
	anchors := runbookAnchors(t)
	refs := map[string]string{} // anchor → where it is referenced
	for _, root := range []string{"../internal", "../cmd", "../deploy", "../bpmn", "../README.md", "../docs"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "node_modules" {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(path, "_test.go") {
				return nil
			}
			ext := filepath.Ext(path)
			if ext != ".go" && ext != ".md" && ext != ".json" && ext != ".yml" && ext != ".yaml" && ext != ".bpmn" {
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			for _, m := range runbookRef.FindAllStringSubmatch(string(data), -1) {
				// An anchor ending in "-" is a prefix code completes (the fallout categories, checked below).
				if !strings.HasSuffix(m[1], "-") {
					refs[m[1]] = path
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range domain.FalloutCategories() {
		anchor := strings.TrimPrefix(c.Runbook(), "docs/runbooks.md#")
		refs[anchor] = "fallout category " + string(c)
	}
	for _, rb := range []string{worker.RunbookDelegateException, worker.RunbookOptimisticLock, worker.RunbookCorrelationFailure,
		worker.RunbookSerializationFailure, worker.RunbookMissingData, worker.RunbookExternalRejection, worker.RunbookHandlerPanic} {
		refs[strings.TrimPrefix(rb, "docs/runbooks.md#")] = "worker incident runbook"
	}
	if len(refs) < 16 {
		t.Fatalf("found only %d runbook references; the scan is broken", len(refs))
	}
	for anchor, where := range refs {
		if !anchors[anchor] {
			t.Errorf("%s references docs/runbooks.md#%s, which has no heading", where, anchor)
		}
	}
}

// Each incident class of seed 000 §23.1 has its runbook entry.
func TestRunbooksCoverTheSeedIncidentClasses(t *testing.T) {
	anchors := runbookAnchors(t)
	for _, class := range []string{"delegate exception", "optimistic lock", "correlation failure",
		"serialization failure", "missing data", "external rejection"} {
		if a := "incident-" + strings.ReplaceAll(class, " ", "-"); !anchors[a] {
			t.Errorf("docs/runbooks.md has no entry #%s for the incident class %q", a, class)
		}
	}
}
