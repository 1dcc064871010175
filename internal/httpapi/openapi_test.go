package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/callback"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

type openAPIDoc struct {
	OpenAPI string                                `json:"openapi"`
	Paths   map[string]map[string]json.RawMessage `json:"paths"`
}

func loadDoc(t *testing.T) openAPIDoc {
	t.Helper()
	var doc openAPIDoc
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	return doc
}

func testServer(t *testing.T) *Server {
	t.Helper()
	cat, err := domain.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Tokens: Tokens{"token-0123456789abcdef": "tenant-a"}}, &postgres.Store{}, cat, zap.NewNop(), nil,
		http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestOpenAPIMatchesTheMux checks both directions: every route the server
// registers is documented with its method, and every documented operation
// reaches the mux pattern of the same path and method.
func TestOpenAPIMatchesTheMux(t *testing.T) {
	doc := loadDoc(t)
	served := []string{http.MethodGet + " " + OpenAPIPath, http.MethodPost + " " + callback.Pattern}
	for _, rt := range routes {
		served = append(served, rt.method+" "+rt.path)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(served)
	slices.Sort(documented)
	if !slices.Equal(served, documented) {
		t.Fatalf("served routes and openapi.json differ\nserved:     %v\ndocumented: %v", served, documented)
	}
	s := testServer(t)
	param := regexp.MustCompile(`\{[a-zA-Z]+\}`)
	for _, op := range documented {
		method, path, _ := strings.Cut(op, " ")
		concrete := param.ReplaceAllStringFunc(path, func(p string) string {
			if p == "{system}" {
				return "provisioning"
			}
			return domain.NewUUID()
		})
		_, pattern := s.mux.Handler(httptest.NewRequest(method, concrete, nil))
		want := op
		if path == callback.Pattern {
			want = callback.Pattern // mounted without a method so a GET gets its problem+json 405
		}
		if pattern != want {
			t.Errorf("%s %s reaches pattern %q, want %q", method, concrete, pattern, want)
		}
	}
}

// TestOpenAPIReferencesResolve catches a $ref to a component that is not there.
func TestOpenAPIReferencesResolve(t *testing.T) {
	var raw map[string]any
	if err := json.Unmarshal(openAPIDocument, &raw); err != nil {
		t.Fatal(err)
	}
	components := raw["components"].(map[string]any)
	var walk func(v any)
	refs := 0
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				refs++
				parts := strings.Split(strings.TrimPrefix(ref, "#/components/"), "/")
				group, _ := components[parts[0]].(map[string]any)
				if len(parts) != 2 || group[parts[1]] == nil {
					t.Errorf("unresolved $ref %s", ref)
				}
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(raw)
	if refs < 20 {
		t.Fatalf("only %d $refs found", refs)
	}
}

// TestEveryStableCodeHasAStatus keeps the code→status map complete: a code
// missing there would answer 500.
func TestEveryStableCodeHasAStatus(t *testing.T) {
	codes := []string{domain.EINVALID, domain.ENOTFOUND, domain.ECONFLICT, domain.EINVALIDTRANSITION, domain.ECYCLE,
		domain.EUNKNOWNDEPENDENCY, domain.EVERSIONCONFLICT, domain.ENOTELIGIBLE, domain.ERETRYEXHAUSTED, domain.EPARENTNOTACTIVE,
		domain.ECOMPLETIONBLOCKED, domain.EDUPLICATEINSTANCE, CodeUnauthorized, CodeRouteNotFound, CodeMethodNotAllowed,
		CodeMalformedRequest, CodePayloadTooLarge, CodeUnsupportedMedia, CodeIdempotencyKeyReused}
	var doc map[string]any
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	problem := doc["components"].(map[string]any)["schemas"].(map[string]any)["Problem"].(map[string]any)
	var documented []string
	for _, c := range problem["properties"].(map[string]any)["code"].(map[string]any)["enum"].([]any) {
		documented = append(documented, c.(string))
	}
	for _, code := range codes {
		if StatusOf(code) == http.StatusInternalServerError {
			t.Errorf("code %s answers 500", code)
		}
		if !slices.Contains(documented, code) {
			t.Errorf("code %s is not in the Problem schema of openapi.json", code)
		}
	}
	if p := problemOf(errString("boom")); p.Status != 500 || p.Code != domain.EINTERNAL || strings.Contains(p.Detail, "boom") {
		t.Fatalf("internal error leaks: %+v", p)
	}
}

type errString string

func (e errString) Error() string { return string(e) }
