package app

import (
	"errors"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/worker"
)

// ClassifyDomainError maps the domain's stable error codes to job outcomes for errors a handler
// did not classify itself: a lost race is retried, broken data raises an incident.
func ClassifyDomainError(err error) (worker.Class, bool) {
	var de *domain.Error
	if !errors.As(err, &de) {
		return 0, false
	}
	switch de.Code {
	case domain.ECONFLICT, domain.EVERSIONCONFLICT:
		return worker.ClassTransient, true // another writer won: reload and try again
	case domain.EINVALID, domain.ENOTFOUND, domain.EINVALIDTRANSITION, domain.ECYCLE, domain.EUNKNOWNDEPENDENCY:
		return worker.ClassBadData, true // the variables or the stored plan are wrong: a person must look
	}
	return 0, false
}
