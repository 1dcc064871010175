package reconcile_test

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/metrictest"
	"github.com/orderfleet/orderfleet/internal/reconcile"
)

func TestOutboxLeftUnpublishedIsFoundPerTenantUntilPublished(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	mine := f.capture(f.tenant)
	other := f.capture("recon-other-" + randomSuffix())
	for _, o := range []string{mine.TenantID, other.TenantID} {
		f.exec(`update outbox_event set created_at = now() - interval '1 hour' where tenant_id = $1`, o)
	}
	f.capture(f.tenant) // fresh events of the same tenant are not overdue

	f.pass()
	got := f.open(domain.DivergenceOutboxUnpublished, "outbox")
	if got.TenantID != f.tenant || !strings.Contains(got.Detail, "unpublished for more than 1m0s") {
		t.Errorf("finding: %+v", got)
	}
	// the pass was scoped to this test's tenant: the other tenant's stale rows are not its business
	open, err := f.rec.OpenFindings(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 1 {
		t.Fatalf("open findings in scope: %+v", open)
	}
	if n := metrictest.Value(t, f.reg, "orderfleet_reconcile_findings", "kind", string(domain.DivergenceOutboxUnpublished)); n != 1 {
		t.Errorf("orderfleet_reconcile_findings{kind=OUTBOX_UNPUBLISHED_TOO_LONG} = %v, want 1", n)
	}

	// An unscoped pass sees both tenants and must not resolve this tenant's finding.
	all := reconcile.New(testConfig(""), f.db, f.engineAPI, zaptest.NewLogger(t), prometheus.NewRegistry())
	if _, err := all.Pass(f.ctx); err != nil {
		t.Fatal(err)
	}
	if open, _ := all.OpenFindings(f.ctx); len(open) != 2 {
		t.Fatalf("unscoped open findings: %+v", open)
	}

	f.publishAll()
	f.pass()
	f.resolved(domain.DivergenceOutboxUnpublished, "outbox")
	if n := metrictest.Value(t, f.reg, "orderfleet_reconcile_findings", "kind", string(domain.DivergenceOutboxUnpublished)); n != 0 {
		t.Errorf("gauge after resolution = %v, want 0", n)
	}
	if history, _ := all.Findings(f.ctx, other.TenantID, domain.DivergenceOutboxUnpublished, "outbox"); len(history) != 1 || history[0].ResolvedAt != nil {
		t.Errorf("the other tenant's finding was touched by a scoped pass: %+v", history)
	}
}
