// Package fleetbench measures what the fleet costs over the bare engine: the same BPMN, the same
// orders, once through every fleet binary and once with stub workers that answer each job with the
// routing variables the real worker would return. Run it with `make bench` (-benchtime 1x).
package fleetbench
