package httpapi

import (
	_ "embed"
	"net/http"
)

// openAPIDocument describes every route; a test keeps it and the mux in step.
//
//go:embed openapi.json
var openAPIDocument []byte

func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(openAPIDocument)
}
