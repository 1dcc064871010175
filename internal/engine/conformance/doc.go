// Package conformance holds the engine's black-box conformance suite: its tests build cmd/engine,
// start the binary on a fresh PostgreSQL database and speak to it only through the Zeebe Go client
// and its HTTP routes, checking each behaviour against the docs.camunda.io page it cites.
package conformance
