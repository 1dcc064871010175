package domain

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// goldenTask is one expected task, written out field by field.
type goldenTask struct {
	key, component string
	typ            TaskType
	owner          string
	mode           ExecutionMode
	optional       bool
	deps           []string // template keys
	retry          string   // "maxAttempts/backoff"
	timeout        string   // "timeout/softReminder/onTimeout/category"
	comp           string   // "-" or "compType/reversible/manualReview"
}

func seqID(n int) string { return fmt.Sprintf("00000000-0001-4000-8000-%012x", n) }

func describeRetry(p RetryPolicy) string { return fmt.Sprintf("%d/%s", p.MaxAttempts, p.BackoffISO) }

func describeTimeout(p TimeoutPolicy) string {
	soft := p.SoftReminderBeforeISO
	if soft == "" {
		soft = "-"
	}
	return fmt.Sprintf("%s/%s/%s/%s", p.TimeoutISO, soft, p.OnTimeout, p.FalloutCategory)
}

func describeComp(p CompensationPolicy) string {
	if !p.Compensatable {
		return "-"
	}
	return fmt.Sprintf("%s/%v/%v", p.CompensationTaskType, p.Reversible, p.RequiresManualReview)
}

// assertPlan compares a plan with its golden tasks, in order, including the
// exact ids handed out by the sequential generator from firstTaskID on.
func assertPlan(t *testing.T, p *Plan, firstTaskID int, want []goldenTask) {
	t.Helper()
	if len(p.Tasks) != len(want) {
		t.Fatalf("plan has %d tasks, want %d", len(p.Tasks), len(want))
	}
	keyOf := map[string]string{}
	for _, task := range p.Tasks {
		keyOf[task.ID] = task.Key
	}
	for i, w := range want {
		got := p.Tasks[i]
		var deps []string
		for _, d := range got.DependsOn {
			deps = append(deps, keyOf[d])
		}
		checks := []struct {
			field     string
			got, want any
		}{
			{"id", got.ID, seqID(firstTaskID + i)},
			{"seq", got.Seq, i + 1},
			{"key", got.Key, w.key},
			{"component", got.Component, w.component},
			{"type", got.Type, w.typ},
			{"owner", got.OwnerSystem, w.owner},
			{"mode", got.Mode, w.mode},
			{"optional", got.Optional, w.optional},
			{"deps", strings.Join(deps, ","), strings.Join(w.deps, ",")},
			{"retry", describeRetry(got.Retry), w.retry},
			{"timeout", describeTimeout(got.Timeout), w.timeout},
			{"compensation", describeComp(got.Compensation), w.comp},
		}
		for _, c := range checks {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("task %d (%s) %s = %v, want %v", i+1, w.key, c.field, c.got, c.want)
			}
		}
		hash, _ := SnapshotHash(got.Input)
		if got.InputSnapshotHash != hash || !strings.HasPrefix(hash, "sha256:") || len(hash) != 71 {
			t.Errorf("task %s: input hash %q does not match its input", w.key, got.InputSnapshotHash)
		}
		if got.Input["taskKey"] != w.key || got.Input["taskType"] != string(w.typ) {
			t.Errorf("task %s: input %v", w.key, got.Input)
		}
	}
}

const (
	reserveRetry   = "3/PT30S"
	reserveTimeout = "PT10M/PT2M/OPEN_FALLOUT/EXTERNAL_SYSTEM_TIMEOUT"
	checkRetry     = "3/PT15S"
	checkTimeout   = "PT5M/PT1M/RETRY/EXTERNAL_SYSTEM_TIMEOUT"
	provRetry      = "3/PT1M"
	provTimeout    = "PT30M/PT10M/OPEN_FALLOUT/EXTERNAL_SYSTEM_TIMEOUT"
	waitRetry      = "1/PT0S"
	waitTimeout    = "PT2H/PT30M/OPEN_FALLOUT/EXTERNAL_SYSTEM_TIMEOUT"
	billRetry      = "5/PT2M"
	billTimeout    = "PT4H/PT1H/OPEN_FALLOUT/BILLING_ACTIVATION_REJECTED"
	ibRetry        = "3/PT10S"
	ibTimeout      = "PT5M/-/OPEN_FALLOUT/INSTALLED_BASE_CONFLICT"
	notifyRetry    = "3/PT1M"
	notifyTimeout  = "PT15M/-/RETRY/EXTERNAL_SYSTEM_TIMEOUT"
	notifyComp     = "SEND_CORRECTION_NOTIFICATION/false/false"
	ibComp         = "REVERT_INSTALLED_BASE/true/false"
)

func TestGoldenBroadbandBundleAdd(t *testing.T) {
	_, p := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
	if p.ID != seqID(3) || p.Status != PlanCreated || p.CatalogVersion != "2026-07-01.1" {
		t.Fatalf("plan id=%s status=%s catalog=%s", p.ID, p.Status, p.CatalogVersion)
	}
	assertPlan(t, p, 4, []goldenTask{
		{"access.check", "INTERNET_ACCESS", TaskCheckServiceability, "serviceability-adapter", ModeAutomatedSync, false, nil, checkRetry, checkTimeout, "-"},
		{"access.reserve", "INTERNET_ACCESS", TaskReserveResource, "inventory-adapter", ModeAutomatedSync, false, []string{"access.check"}, reserveRetry, reserveTimeout, "RELEASE_RESOURCE/true/false"},
		{"access.provision", "INTERNET_ACCESS", TaskCreateProvisioningRequest, "provisioning-adapter", ModeAutomatedAsync, false, []string{"access.reserve"}, provRetry, provTimeout, "CANCEL_PROVISIONING_REQUEST/true/true"},
		{"access.await", "INTERNET_ACCESS", TaskWaitProvisioningCompleted, "provisioning-adapter", ModeWaitOnly, false, []string{"access.provision"}, waitRetry, waitTimeout, "-"},
		{"ip.reserve", "STATIC_IP", TaskReserveResource, "inventory-adapter", ModeAutomatedSync, false, []string{"access.reserve"}, reserveRetry, reserveTimeout, "RELEASE_RESOURCE/true/false"},
		{"ip.provision", "STATIC_IP", TaskCreateProvisioningRequest, "provisioning-adapter", ModeAutomatedAsync, false, []string{"access.await", "ip.reserve"}, provRetry, provTimeout, "CANCEL_PROVISIONING_REQUEST/true/true"},
		{"ip.await", "STATIC_IP", TaskWaitProvisioningCompleted, "provisioning-adapter", ModeWaitOnly, false, []string{"ip.provision"}, waitRetry, waitTimeout, "-"},
		{"router.ship", "ROUTER", TaskConfirmShipment, "shipping-adapter", ModeAutomatedAsync, false, nil, "3/PT5M", "P3D/P1D/OPEN_FALLOUT/EXTERNAL_SYSTEM_TIMEOUT", "CANCEL_SHIPMENT/false/false"},
		{"billing.activate", "BUNDLE", TaskActivateBilling, "billing-adapter", ModeAutomatedAsync, false, []string{"access.await", "ip.await"}, billRetry, billTimeout, "REVERSE_BILLING_ACTIVATION/true/false"},
		{"asset.update", "BUNDLE", TaskUpdateInstalledBase, "oms-installed-base", ModeAutomatedSync, false, []string{"access.await", "ip.await", "router.ship"}, ibRetry, ibTimeout, ibComp},
		{"customer.notify", "BUNDLE", TaskSendCustomerNotification, "notification-adapter", ModeAutomatedSync, true, []string{"asset.update"}, notifyRetry, notifyTimeout, notifyComp},
	})
	// Internet access and router shipment start in parallel; static IP waits for access.
	groups := p.ParallelGroups()
	want := [][]string{{seqID(4), seqID(11)}, {seqID(5)}, {seqID(6), seqID(8)}, {seqID(7)}, {seqID(9)}, {seqID(10)}, {seqID(12), seqID(13)}, {seqID(14)}}
	if !reflect.DeepEqual(groups, want) {
		t.Fatalf("parallel groups %v, want %v", groups, want)
	}
	if got := p.ReadyTaskIDs(); !reflect.DeepEqual(got, []string{seqID(4), seqID(11)}) {
		t.Fatalf("first ready tasks %v", got)
	}
	if d := p.Tasks[7].Timeout.Timeout; d != 72*time.Hour || p.Tasks[0].Retry.Backoff != 15*time.Second {
		t.Fatalf("durations not parsed: %v %v", d, p.Tasks[0].Retry.Backoff)
	}
}

func TestGoldenSpeedChangeModify(t *testing.T) {
	assets := assetBook{"asset-1": {ID: "asset-1", TenantID: "tenant-a", ProductCode: "BROADBAND_BUNDLE", Status: AssetActive, Version: 4}}
	item := ItemInput{LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: ActionModify, TargetAssetID: "asset-1", ExpectedAssetVersion: 4, Attributes: map[string]string{"downloadMbps": "1000"}}
	_, p := preparedPlan(t, assets, CompletionRequiresBillingActive, item)
	assertPlan(t, p, 4, []goldenTask{
		{"speed.check", "INTERNET_ACCESS", TaskCheckServiceability, "serviceability-adapter", ModeAutomatedSync, false, nil, checkRetry, checkTimeout, "-"},
		{"speed.provision", "INTERNET_ACCESS", TaskCreateProvisioningRequest, "provisioning-adapter", ModeAutomatedAsync, false, []string{"speed.check"}, provRetry, provTimeout, "CANCEL_PROVISIONING_REQUEST/true/true"},
		{"speed.await", "INTERNET_ACCESS", TaskWaitProvisioningCompleted, "provisioning-adapter", ModeWaitOnly, false, []string{"speed.provision"}, waitRetry, waitTimeout, "-"},
		{"billing.change", "BUNDLE", TaskActivateBilling, "billing-adapter", ModeAutomatedAsync, false, []string{"speed.await"}, billRetry, billTimeout, "REVERSE_BILLING_ACTIVATION/true/false"},
		{"asset.update", "BUNDLE", TaskUpdateInstalledBase, "oms-installed-base", ModeAutomatedSync, false, []string{"speed.await"}, ibRetry, ibTimeout, ibComp},
		{"customer.notify", "BUNDLE", TaskSendCustomerNotification, "notification-adapter", ModeAutomatedSync, true, []string{"asset.update"}, notifyRetry, notifyTimeout, notifyComp},
	})
	in := p.Tasks[0].Input
	if in["targetAssetId"] != "asset-1" || in["expectedAssetVersion"] != int64(4) || in["attributes"].(map[string]string)["downloadMbps"] != "1000" {
		t.Fatalf("modify input %v", in)
	}
}

func TestGoldenDisconnect(t *testing.T) {
	assets := assetBook{"asset-1": {ID: "asset-1", TenantID: "tenant-a", ProductCode: "BROADBAND_BUNDLE", Status: AssetActive, Version: 2}}
	item := ItemInput{LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: ActionDisconnect, TargetAssetID: "asset-1", ExpectedAssetVersion: 2}
	_, p := preparedPlan(t, assets, CompletionRequiresBillingActive, item)
	assertPlan(t, p, 4, []goldenTask{
		{"service.deprovision", "INTERNET_ACCESS", TaskCreateProvisioningRequest, "provisioning-adapter", ModeAutomatedAsync, false, nil, provRetry, provTimeout, "CANCEL_PROVISIONING_REQUEST/false/true"},
		{"service.await", "INTERNET_ACCESS", TaskWaitProvisioningCompleted, "provisioning-adapter", ModeWaitOnly, false, []string{"service.deprovision"}, waitRetry, waitTimeout, "-"},
		{"resource.release", "INTERNET_ACCESS", TaskReleaseResource, "inventory-adapter", ModeAutomatedSync, false, []string{"service.await"}, "5/PT1M", "PT10M/PT2M/OPEN_FALLOUT/COMPENSATION_FAILED", "-"},
		{"asset.close", "BUNDLE", TaskUpdateInstalledBase, "oms-installed-base", ModeAutomatedSync, false, []string{"service.await"}, ibRetry, ibTimeout, ibComp},
		{"customer.notify", "BUNDLE", TaskSendCustomerNotification, "notification-adapter", ModeAutomatedSync, true, []string{"asset.close"}, notifyRetry, notifyTimeout, notifyComp},
	})
}

var addonEnable = goldenTask{"addon.enable", "SECURITY_SUITE", TaskCreateProvisioningRequest, "digital-services-adapter", ModeAutomatedSync, false, nil,
	provRetry, "PT5M/PT1M/RETRY/EXTERNAL_SYSTEM_TIMEOUT", "CANCEL_PROVISIONING_REQUEST/true/false"}

func addonTail() []goldenTask {
	return []goldenTask{
		{"billing.activate", "SECURITY_SUITE", TaskActivateBilling, "billing-adapter", ModeAutomatedAsync, false, []string{"addon.enable"}, billRetry, billTimeout, "REVERSE_BILLING_ACTIVATION/true/false"},
		{"asset.update", "SECURITY_SUITE", TaskUpdateInstalledBase, "oms-installed-base", ModeAutomatedSync, false, []string{"addon.enable"}, ibRetry, ibTimeout, ibComp},
		{"customer.notify", "SECURITY_SUITE", TaskSendCustomerNotification, "notification-adapter", ModeAutomatedSync, true, []string{"asset.update"}, notifyRetry, notifyTimeout, notifyComp},
	}
}

func TestGoldenDigitalAddOnOnActiveParent(t *testing.T) {
	assets := assetBook{"bb-1": {ID: "bb-1", TenantID: "tenant-a", ProductCode: "BROADBAND_BUNDLE", Status: AssetActive, Version: 1}}
	item := ItemInput{LineNo: 1, ProductCode: "SECURITY_SUITE", Action: ActionAdd, ParentAssetID: "bb-1"}
	_, p := preparedPlan(t, assets, CompletionRequiresBillingActive, item)
	assertPlan(t, p, 4, append([]goldenTask{addonEnable}, addonTail()...))
}

// An add-on ordered together with its parent waits for the parent's
// installed-base update, i.e. for the parent to be active.
func TestGoldenDigitalAddOnWithParentInSameOrder(t *testing.T) {
	addon := ItemInput{LineNo: 2, ProductCode: "SECURITY_SUITE", Action: ActionAdd, ParentLineNo: 1}
	_, p := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1), addon)
	if len(p.Tasks) != 15 {
		t.Fatalf("tasks %d", len(p.Tasks))
	}
	parentAsset := p.Tasks[9] // bundle asset.update
	if parentAsset.Key != "asset.update" || parentAsset.OrderItemID != seqID(2) {
		t.Fatalf("task 10 is %s of %s", parentAsset.Key, parentAsset.OrderItemID)
	}
	enable := p.Tasks[11]
	if enable.Key != "addon.enable" || !reflect.DeepEqual(enable.DependsOn, []string{parentAsset.ID}) || enable.OrderItemID != seqID(3) {
		t.Fatalf("addon.enable deps %v item %s", enable.DependsOn, enable.OrderItemID)
	}
	if enable.Input["parentItemId"] != seqID(2) {
		t.Fatalf("addon input %v", enable.Input)
	}
}

func TestGoldenMove(t *testing.T) {
	assets := assetBook{"asset-1": {ID: "asset-1", TenantID: "tenant-a", ProductCode: "BROADBAND_BUNDLE", Status: AssetActive, Version: 1}}
	item := ItemInput{LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: ActionMove, TargetAssetID: "asset-1", ExpectedAssetVersion: 1, Location: "9 New Rd"}
	_, p := preparedPlan(t, assets, CompletionRequiresBillingActive, item)
	assertPlan(t, p, 4, []goldenTask{
		{"move.check", "INTERNET_ACCESS", TaskCheckServiceability, "serviceability-adapter", ModeAutomatedSync, false, nil, checkRetry, checkTimeout, "-"},
		{"move.appointment", "INTERNET_ACCESS", TaskScheduleAppointment, "appointment-adapter", ModeAutomatedAsync, false, []string{"move.check"}, "3/PT5M", "P2D/PT12H/ESCALATE/APPOINTMENT_UNAVAILABLE", "CANCEL_APPOINTMENT/true/false"},
		{"move.review", "INTERNET_ACCESS", TaskManualActivationReview, "field-operations", ModeManual, false, []string{"move.appointment"}, "1/PT0S", "P1D/PT4H/ESCALATE/MANUAL_TASK_EXPIRED", "-"},
		{"asset.move", "BUNDLE", TaskUpdateInstalledBase, "oms-installed-base", ModeAutomatedSync, false, []string{"move.review"}, ibRetry, ibTimeout, ibComp},
		{"customer.notify", "BUNDLE", TaskSendCustomerNotification, "notification-adapter", ModeAutomatedSync, true, []string{"asset.move"}, notifyRetry, notifyTimeout, notifyComp},
	})
}

// TestInputSnapshotHashIsCanonical pins the hash of one input against a
// hand-written canonical JSON text.
func TestInputSnapshotHashIsCanonical(t *testing.T) {
	in := map[string]any{"b": 1, "a": map[string]string{"y": "<&>", "x": "1"}}
	got, err := CanonicalJSON(in)
	if err != nil || string(got) != `{"a":{"x":"1","y":"<&>"},"b":1}` {
		t.Fatalf("canonical JSON %s, %v", got, err)
	}
	h, _ := SnapshotHash(in)
	// sha256 of the canonical text above, computed with `printf %s ... | sha256sum`.
	const want = "sha256:f0e7289afb84c3b46571dae70904040e2bc8081aa4fb5cda572c664f4455254a"
	if h != want {
		t.Fatalf("hash %s, want %s", h, want)
	}
}

func TestDecompositionIsDeterministic(t *testing.T) {
	_, a := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
	_, b := preparedPlan(t, assetBook{}, CompletionRequiresBillingActive, bundleAdd(1))
	for i := range a.Tasks {
		x, y := a.Tasks[i], b.Tasks[i]
		if x.ID != y.ID || x.InputSnapshotHash != y.InputSnapshotHash || !reflect.DeepEqual(x.DependsOn, y.DependsOn) {
			t.Fatalf("task %d differs between runs", i)
		}
	}
}
