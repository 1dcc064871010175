// Package e2e drives orders through the real fleet binaries, orderfleet's engine and its read API,
// PostgreSQL and Kafka of the local stack. The binaries are built once and run as processes, so
// the tests cover their mains, settings and signal handling, and can kill them mid-work.
//
// Every test uses its own tenant id; the fleet, the database and the engine are shared, as they
// are in production. Only this package runs fulfillment workers, so no other test package's
// workers take these instances' jobs.
package e2e
