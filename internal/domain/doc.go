// Package domain holds the order-fulfilment rules that the OMS owns: orders,
// fulfilment plans and their task graph, policies, fallout, compensation,
// installed base, audit and event envelopes.
//
// It imports only the standard library so that every rule can be tested
// without PostgreSQL, Kafka or Zeebe; adapters persist and publish what the
// aggregates record.
package domain
