package postgres

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/orderfleet/orderfleet/internal/domain"
)

// SQLSTATE codes we translate into domain errors.
const (
	sqlUniqueViolation     = "23505"
	sqlForeignKeyViolation = "23503"
	sqlCheckViolation      = "23514"
	sqlNotNullViolation    = "23502"
	sqlInvalidText         = "22P02"
	sqlStringTooLong       = "22001"
	sqlSerialization       = "40001"
	sqlDeadlock            = "40P01"
)

// mapError turns driver errors that mean something to callers into typed
// domain errors, so no raw pgx error for a constraint reaches a worker.
// Anything else (lost connection, cancelled context) is wrapped with op.
func mapError(op string, err error) error {
	if err == nil {
		return nil
	}
	var de *domain.Error
	if errors.As(err, &de) {
		return err
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return domain.Errorf(domain.ENOTFOUND, "%s: not found", op)
	}
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	code := ""
	switch pe.Code {
	case sqlUniqueViolation:
		code = domain.ECONFLICT
	case sqlForeignKeyViolation:
		// the row we point at does not exist (or not for this tenant)
		code = domain.EINVALID
	case sqlCheckViolation, sqlNotNullViolation, sqlInvalidText, sqlStringTooLong:
		code = domain.EINVALID
	case sqlSerialization, sqlDeadlock:
		code = domain.ECONFLICT
	default:
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	return &domain.Error{
		Code:    code,
		Message: fmt.Sprintf("%s: %s (constraint %s)", op, pe.Message, pe.ConstraintName),
		Refs:    []string{pe.ConstraintName},
	}
}

// ConstraintOf returns the constraint named by a mapped constraint error.
func ConstraintOf(err error) string {
	refs := domain.ErrorRefs(err)
	if len(refs) == 0 {
		return ""
	}
	return refs[0]
}

func versionConflict(kind, id string, version int64) error {
	return &domain.Error{
		Code:    domain.EVERSIONCONFLICT,
		Message: fmt.Sprintf("%s %s was changed by someone else (expected version %d)", kind, id, version),
		Refs:    []string{id},
	}
}
