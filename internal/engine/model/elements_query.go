package model

// Element returns the element with the given id (nested ones included), or nil.
func (p *Process) Element(id string) *Element { return p.Elements[id] }

// NoneStartEvent is the process's none start event, used by CreateProcessInstance; nil when the
// process starts only by message, timer or signal.
func (p *Process) NoneStartEvent() *Element { return p.Root.NoneStartEvent() }

// StartEventsOf returns the process-level start events of one kind (message, timer, signal), in
// document order, for the subscriptions and timers a deployment opens.
func (p *Process) StartEventsOf(t EventType) []*Element {
	var out []*Element
	for _, s := range p.Root.StartEvents {
		if s.EventType == t {
			out = append(out, s)
		}
	}
	return out
}

// NoneStartEvent is the scope's none start event, or nil.
func (e *Element) NoneStartEvent() *Element {
	for _, s := range e.StartEvents {
		if s.EventType == NoneEvent {
			return s
		}
	}
	return nil
}

// IsActivity reports tasks, subprocesses and call activities: the elements boundary events and
// multi-instance apply to.
func (e *Element) IsActivity() bool {
	switch e.Type {
	case ServiceTask, UserTask, ReceiveTask, ManualTask, Task, SubProcess, EventSubProcess, CallActivity:
		return true
	}
	return false
}

// IsMultiInstance reports an activity that runs inside a multi-instance body.
func (e *Element) IsMultiInstance() bool { return e.Loop != nil }

// IsJobWorker reports elements whose activation creates a job.
func (e *Element) IsJobWorker() bool { return e.Type == ServiceTask || e.Type == UserTask }

// ErrorBoundary is the error boundary event of this activity that catches code: one naming the
// code exactly wins over a catch-all; nil when none catches it.
func (e *Element) ErrorBoundary(code string) *Element {
	return matchError(e.BoundaryEvents, code)
}

// ErrorEventSubProcess is the event subprocess of this scope whose error start event catches
// code, exact code first, then a catch-all; nil when none does.
func (e *Element) ErrorEventSubProcess(code string) *Element {
	var starts []*Element
	for _, esp := range e.EventSubProcesses {
		starts = append(starts, esp.StartEvents...)
	}
	if s := matchError(starts, code); s != nil {
		return s.Parent
	}
	return nil
}

func matchError(events []*Element, code string) *Element {
	var catchAll *Element
	for _, ev := range events {
		if ev.EventType != ErrorEvent {
			continue
		}
		if ev.Error == nil || ev.Error.Code == nil {
			if catchAll == nil {
				catchAll = ev
			}
			continue
		}
		if ev.Error.Code.Source == code {
			return ev
		}
	}
	return catchAll
}
