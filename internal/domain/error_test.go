package domain

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorHelpers(t *testing.T) {
	base := &Error{Code: ECYCLE, Message: "a -> b -> a", Refs: []string{"a", "b"}}
	wrapped := fmt.Errorf("loading plan: %w", base)
	if ErrorCode(wrapped) != ECYCLE || ErrorMessage(wrapped) != "a -> b -> a" || len(ErrorRefs(wrapped)) != 2 {
		t.Fatalf("wrapped: %s %s %v", ErrorCode(wrapped), ErrorMessage(wrapped), ErrorRefs(wrapped))
	}
	if base.Error() != "cycle: a -> b -> a" {
		t.Fatalf("Error() = %q", base.Error())
	}
	plain := errors.New("socket closed")
	if ErrorCode(plain) != EINTERNAL || ErrorMessage(plain) != "internal error" || ErrorRefs(plain) != nil {
		t.Fatal("foreign errors must read as internal")
	}
	if ErrorCode(nil) != "" || ErrorMessage(nil) != "" {
		t.Fatal("nil")
	}
	if !IsConflict(Errorf(EVERSIONCONFLICT, "x")) || !IsConflict(Errorf(ECONFLICT, "x")) || IsConflict(Errorf(EINVALID, "x")) {
		t.Fatal("IsConflict")
	}
	if !IsCode(wrapped, ECYCLE) {
		t.Fatal("IsCode")
	}
}

func TestSequentialIDsAreUUIDs(t *testing.T) {
	g := SequentialIDs(2)
	if a, b := g.NewID(), g.NewID(); a != "00000000-0002-4000-8000-000000000001" || b != "00000000-0002-4000-8000-000000000002" {
		t.Fatalf("%s %s", a, b)
	}
	u := NewUUID()
	if len(u) != 36 || u[14] != '4' || u == NewUUID() {
		t.Fatalf("uuid %s", u)
	}
}

func TestExecutionClaim(t *testing.T) {
	e := Execution{FulfillmentPlanID: "p", ProcessInstanceKey: "225179981"}
	if err := e.CheckClaim("225179981"); err != nil {
		t.Fatalf("same instance: %v", err)
	}
	if err := e.CheckClaim("999"); ErrorCode(err) != EDUPLICATEINSTANCE {
		t.Fatalf("other instance: %v", err)
	}
	if err := (Execution{}).CheckClaim("1"); err != nil {
		t.Fatalf("unclaimed: %v", err)
	}
}
