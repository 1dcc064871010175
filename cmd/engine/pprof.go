package main

import (
	"net/http"
	"net/http/pprof"
)

// managementHandler adds Go's profiles under /debug/pprof/ to the management routes when asked
// (--pprof): they cost nothing unless fetched, but expose internals, so they are off by default.
func managementHandler(routes http.Handler, withPprof bool) http.Handler {
	if !withPprof {
		return routes
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.Handle("/", routes)
	return mux
}
