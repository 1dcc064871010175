// Package postgres persists the domain aggregates in PostgreSQL with pgx.
//
// Every write goes through Store.Do: the callback loads and changes
// aggregates on a Tx, and Do writes the state changes, their audit entries
// and their outbox events in one database transaction, checking each
// aggregate's version so a concurrent writer gets a version_conflict
// instead of a lost update.
package postgres
