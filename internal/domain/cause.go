package domain

import "time"

// ActorType says what kind of party caused a change; the audit trail needs
// to tell a worker's automatic step from an operator's decision.
type ActorType string

const (
	ActorSystem   ActorType = "SYSTEM"
	ActorWorker   ActorType = "WORKER"
	ActorUser     ActorType = "USER"
	ActorExternal ActorType = "EXTERNAL"
)

// Actor is who (or what) asked for a change.
type Actor struct {
	Type ActorType
	ID   string // worker job type, operator id, external system name
}

// Cause travels with every state change so that the audit entry can say
// who did it, why, on what evidence, and when.
type Cause struct {
	Actor         Actor
	ReasonCode    string
	Reason        string
	EvidenceRef   string
	CorrelationID string
	At            time.Time
}

// at returns the moment of the change. A zero At is filled with the wall
// clock so callers that do not care about determinism need not set it.
func (c Cause) at() time.Time {
	if c.At.IsZero() {
		return time.Now().UTC()
	}
	return c.At.UTC()
}

// pinned fixes the instant of a command that records several facts (a transition, an attempt,
// an event), so they share one time and the timeline orders them the same way every run.
func (c Cause) pinned() Cause {
	c.At = c.at()
	return c
}

func (c Cause) validate() error {
	if c.Actor.Type == "" || c.Actor.ID == "" {
		return Errorf(EINVALID, "a change needs an actor (type and id)")
	}
	return nil
}

// SystemCause is a convenience for changes made by a named component.
func SystemCause(component, reasonCode, reason string, at time.Time) Cause {
	return Cause{Actor: Actor{Type: ActorSystem, ID: component}, ReasonCode: reasonCode, Reason: reason, At: at}
}
