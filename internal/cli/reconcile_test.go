package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/fulfillment"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/postgres/pgtest"
	"github.com/orderfleet/orderfleet/internal/reconcile"
)

func runFleetctl(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := NewRoot(&out, &errOut)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String() + errOut.String(), err
}

func TestReconcileRecordsAPassAndListsItsOpenFindings(t *testing.T) {
	pool, url := pgtest.NewDatabase(t)
	ctx := context.Background()
	catalog, err := domain.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	tenant := "cli-recon-" + domain.NewUUID()[:8]
	_, err = fulfillment.CaptureOrder(ctx, postgres.New(pool), catalog, domain.NewOrderInput{
		TenantID: tenant, CustomerID: "c1", CompletionPolicy: domain.CompletionRequiresBillingActive,
		Items: []domain.ItemInput{{LineNo: 1, ProductCode: "CLOUD_BACKUP", Action: domain.ActionAdd, Quantity: 1,
			Attributes: map[string]string{"storageGb": "500"}}},
	}, domain.Cause{Actor: domain.Actor{Type: domain.ActorUser, ID: "cli-test"}, Reason: "test"})
	if err != nil {
		t.Fatal(err)
	}
	// the relay never published the order's events: an hour later that is a finding
	if _, err := pool.Exec(ctx, `update outbox_event set created_at = now() - interval '1 hour'`); err != nil {
		t.Fatal(err)
	}

	out, err := runFleetctl(t, "reconcile", "--database-url", url, "--tenant", tenant, "--outbox-max-age", "1m")
	if err != nil {
		t.Fatalf("reconcile: %v\n%s", err, out)
	}
	for _, want := range []string{"KIND", "OUTBOX_UNPUBLISHED_TOO_LONG", tenant, "1 findings this pass: 1 new, 0 resolved"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	out, err = runFleetctl(t, "reconcile", "--list", "-o", "json", "--database-url", url, "--tenant", tenant)
	if err != nil {
		t.Fatalf("reconcile --list: %v\n%s", err, out)
	}
	var open []reconcile.Finding
	if err := json.Unmarshal([]byte(out), &open); err != nil {
		t.Fatalf("--list -o json is not a JSON list of findings: %v\n%s", err, out)
	}
	if len(open) != 1 || open[0].Kind != domain.DivergenceOutboxUnpublished || open[0].TenantID != tenant || open[0].ID == "" {
		t.Fatalf("open findings: %+v", open)
	}

	out, err = runFleetctl(t, "reconcile", "--list", "--database-url", url, "--tenant", "someone-else")
	if err != nil || !strings.Contains(out, "0 open findings") {
		t.Fatalf("another tenant's list: %v\n%s", err, out)
	}
}

func TestReconcileHelpShowsExamples(t *testing.T) {
	out, err := runFleetctl(t, "reconcile", "--help")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Examples:", "fleetctl reconcile --list", "-o json", "ORDER_WITHOUT_PROCESS", "--grace"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q:\n%s", want, out)
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "--camunda-password") && strings.Contains(line, "(default") {
			t.Errorf("help prints a password default: %s", line)
		}
	}
}
