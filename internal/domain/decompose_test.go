package domain

import (
	"strings"
	"testing"
)

func TestDecompositionRejections(t *testing.T) {
	active := assetBook{
		"bb-1":   {ID: "bb-1", TenantID: "tenant-a", ProductCode: "BROADBAND_BUNDLE", Status: AssetActive, Version: 3},
		"bb-off": {ID: "bb-off", TenantID: "tenant-a", ProductCode: "BROADBAND_BUNDLE", Status: AssetClosed, Version: 5},
		"sec-1":  {ID: "sec-1", TenantID: "tenant-a", ProductCode: "SECURITY_SUITE", Status: AssetActive, Version: 1},
		"other":  {ID: "other", TenantID: "tenant-b", ProductCode: "BROADBAND_BUNDLE", Status: AssetActive, Version: 1},
	}
	cases := []struct {
		name string
		item ItemInput
		code string
	}{
		{"unknown product", ItemInput{LineNo: 1, ProductCode: "NOPE", Action: ActionAdd}, EINVALID},
		{"missing speed", ItemInput{LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: ActionAdd}, EINVALID},
		{"add-on without parent", ItemInput{LineNo: 1, ProductCode: "SECURITY_SUITE", Action: ActionAdd}, EINVALID},
		{"add-on parent closed", ItemInput{LineNo: 1, ProductCode: "SECURITY_SUITE", Action: ActionAdd, ParentAssetID: "bb-off"}, EPARENTNOTACTIVE},
		{"add-on parent missing", ItemInput{LineNo: 1, ProductCode: "SECURITY_SUITE", Action: ActionAdd, ParentAssetID: "ghost"}, EPARENTNOTACTIVE},
		{"add-on parent wrong product", ItemInput{LineNo: 1, ProductCode: "SECURITY_SUITE", Action: ActionAdd, ParentAssetID: "sec-1"}, EPARENTNOTACTIVE},
		{"add-on parent other tenant", ItemInput{LineNo: 1, ProductCode: "SECURITY_SUITE", Action: ActionAdd, ParentAssetID: "other"}, EPARENTNOTACTIVE},
		{"modify stale version", ItemInput{LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: ActionModify, TargetAssetID: "bb-1", ExpectedAssetVersion: 2, Attributes: map[string]string{"downloadMbps": "1"}}, EVERSIONCONFLICT},
		{"modify missing asset", ItemInput{LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: ActionModify, TargetAssetID: "ghost", Attributes: map[string]string{"downloadMbps": "1"}}, ENOTFOUND},
		{"disconnect closed asset", ItemInput{LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: ActionDisconnect, TargetAssetID: "bb-off", ExpectedAssetVersion: 5}, ECONFLICT},
		{"disconnect wrong product", ItemInput{LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: ActionDisconnect, TargetAssetID: "sec-1", ExpectedAssetVersion: 1}, EINVALID},
		{"modify add-on unsupported", ItemInput{LineNo: 1, ProductCode: "SECURITY_SUITE", Action: ActionModify, TargetAssetID: "sec-1", ExpectedAssetVersion: 1}, EINVALID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ids := SequentialIDs(9)
			o := mustOrder(t, ids, "", c.item)
			plan, _, err := PrepareFulfillment(o, mustCatalog(t), active, ids, testCause("PREPARE"))
			if ErrorCode(err) != c.code || plan != nil {
				t.Fatalf("err = %v, want code %s", err, c.code)
			}
		})
	}
}

func TestNewOrderShapeRules(t *testing.T) {
	cases := []struct {
		name  string
		items []ItemInput
	}{
		{"no items", nil},
		{"modify without target", []ItemInput{{LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: ActionModify}}},
		{"add with target", []ItemInput{{LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: ActionAdd, TargetAssetID: "x"}}},
		{"move without location", []ItemInput{{LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: ActionMove, TargetAssetID: "x"}}},
		{"unknown action", []ItemInput{{LineNo: 1, ProductCode: "BROADBAND_BUNDLE", Action: "UPGRADE"}}},
		{"duplicate line", []ItemInput{bundleAdd(1), bundleAdd(1)}},
		{"parent line missing", []ItemInput{{LineNo: 1, ProductCode: "SECURITY_SUITE", Action: ActionAdd, ParentLineNo: 7}}},
		{"both parents", []ItemInput{bundleAdd(1), {LineNo: 2, ProductCode: "SECURITY_SUITE", Action: ActionAdd, ParentLineNo: 1, ParentAssetID: "x"}}},
	}
	for _, c := range cases {
		_, err := NewOrder(NewOrderInput{TenantID: "tenant-a", CustomerID: "c", Items: c.items}, SequentialIDs(1), testCause("X"))
		if ErrorCode(err) != EINVALID {
			t.Errorf("%s: err = %v, want invalid", c.name, err)
		}
	}
	if _, err := NewOrder(NewOrderInput{TenantID: strings.Repeat("t", 65), CustomerID: "c", Items: []ItemInput{bundleAdd(1)}}, SequentialIDs(1), testCause("X")); ErrorCode(err) != EINVALID {
		t.Errorf("long tenant accepted: %v", err)
	}
	if _, err := NewOrder(NewOrderInput{TenantID: "t", CustomerID: "c", Items: []ItemInput{bundleAdd(1)}}, SequentialIDs(1), Cause{}); ErrorCode(err) != EINVALID {
		t.Errorf("order without actor accepted: %v", err)
	}
}

func TestPrepareFulfillmentRecordsRequest(t *testing.T) {
	o, p := preparedPlan(t, assetBook{}, CompletionAllowsBillingPending, bundleAdd(1))
	if o.Status != OrderFulfillmentReady || o.FulfillmentPlanID != p.ID || p.CompletionPolicy != CompletionAllowsBillingPending {
		t.Fatalf("order %s plan %s policy %s", o.Status, o.FulfillmentPlanID, p.CompletionPolicy)
	}
	var moves []string
	for _, a := range o.PendingAudit() {
		moves = append(moves, a.StateBefore+">"+a.StateAfter)
	}
	if strings.Join(moves, " ") != ">CAPTURED CAPTURED>VALIDATED VALIDATED>DECOMPOSED DECOMPOSED>FULFILLMENT_READY" {
		t.Fatalf("order audit %v", moves)
	}
	evs := o.PendingEvents()
	if len(evs) != 1 || evs[0].EventType != EventOrderFulfillmentRequested {
		t.Fatalf("events %v", eventTypes(evs))
	}
	pl := evs[0].Payload
	if pl["processId"] != "order-fulfillment-v1" || pl["businessKey"] != "tenant-a:"+o.ID+":"+p.ID || pl["fulfillmentPlanId"] != p.ID {
		t.Fatalf("payload %v", pl)
	}
	ids := SequentialIDs(1)
	o2 := mustOrder(t, ids, "", bundleAdd(1))
	_, req, err := PrepareFulfillment(o2, mustCatalog(t), assetBook{}, ids, testCause("P"))
	if err != nil || req.ID != seqID(15) || req.Status != StartPending || req.ProcessID != FulfillmentProcessID ||
		req.BusinessKey != "tenant-a:"+o2.ID+":"+seqID(3) || !req.NextAttemptAt.Equal(t0) {
		t.Fatalf("start request %+v err %v", req, err)
	}
	if _, err := mustCatalog(t).Decompose(o2, assetBook{}, ids, testCause("AGAIN")); ErrorCode(err) != EINVALIDTRANSITION {
		t.Fatalf("decomposing twice: %v", err)
	}
}

func TestParseCatalogRejections(t *testing.T) {
	base := `{"version":"x","taskTypes":[
	  {"type":"A","ownerSystem":"s","executionMode":"AUTOMATED_SYNC","retry":{"maxAttempts":1,"backoff":"PT1S"},
	   "timeout":{"timeout":"PT1M","onTimeout":"RETRY","falloutCategory":"EXTERNAL_SYSTEM_TIMEOUT"},"compensation":{"compensatable":false}}],
	 "products":[{"code":"P","decompositions":{"ADD":%s}}]}`
	cases := []struct{ name, templates, code string }{
		{"cycle", `[{"key":"a","taskType":"A","dependsOn":["b"]},{"key":"b","taskType":"A","dependsOn":["a"]}]`, ECYCLE},
		{"unknown dep", `[{"key":"a","taskType":"A","dependsOn":["zz"]}]`, EUNKNOWNDEPENDENCY},
		{"unknown type", `[{"key":"a","taskType":"B"}]`, EINVALID},
		{"bad duration", `[{"key":"a","taskType":"A","retry":{"maxAttempts":1,"backoff":"30s"}}]`, EINVALID},
		{"reminder after timeout", `[{"key":"a","taskType":"A","timeout":{"timeout":"PT1M","softReminderBefore":"PT2M","onTimeout":"RETRY","falloutCategory":"EXTERNAL_SYSTEM_TIMEOUT"}}]`, EINVALID},
		{"compensatable without type", `[{"key":"a","taskType":"A","compensation":{"compensatable":true}}]`, EINVALID},
		{"compensation type unknown", `[{"key":"a","taskType":"A","compensation":{"compensatable":true,"compensationTaskType":"Z"}}]`, EINVALID},
		{"bad mode", `[{"key":"a","taskType":"A","executionMode":"FAST"}]`, EINVALID},
		{"empty", `[]`, EINVALID},
	}
	for _, c := range cases {
		_, err := ParseCatalog([]byte(strings.Replace(base, "%s", c.templates, 1)))
		if ErrorCode(err) != c.code {
			t.Errorf("%s: err = %v, want %s", c.name, err, c.code)
		}
	}
	if _, err := ParseCatalog([]byte(strings.Replace(base, "%s", `[{"key":"a","taskType":"A"}]`, 1))); err != nil {
		t.Fatalf("valid minimal catalog rejected: %v", err)
	}
	if _, err := ParseCatalog([]byte("{")); ErrorCode(err) != EINVALID {
		t.Fatalf("broken JSON: %v", err)
	}
}

func TestCatalogCoversSeedTaskTypes(t *testing.T) {
	c := mustCatalog(t)
	seed := []TaskType{
		TaskReserveResource, TaskReleaseResource, TaskCheckServiceability, TaskCreateProvisioningRequest,
		TaskWaitProvisioningCompleted, TaskScheduleAppointment, TaskConfirmShipment, TaskActivateBilling,
		TaskUpdateInstalledBase, TaskSendCustomerNotification, TaskManualActivationReview,
	}
	for _, tt := range seed {
		if _, ok := c.TaskDefinition(tt); !ok {
			t.Errorf("catalog lacks seed task type %s", tt)
		}
	}
	if len(c.TaskTypes()) != 17 {
		t.Errorf("catalog has %d task types, want 17 (11 seed + 6 compensation)", len(c.TaskTypes()))
	}
}
