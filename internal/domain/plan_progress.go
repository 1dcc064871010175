package domain

// Progress is what a worker hands back to the workflow after touching the
// plan: the process routes on these facts instead of computing them.
type Progress struct {
	ReadyTaskIDs         []string
	MoreReadyTasks       bool
	InFlightTaskIDs      []string
	AllRequiredTasksDone bool
	CompletionAllowed    bool
	// Stuck means nothing is ready or in flight but required work is not
	// done: a required task failed and needs repair (fallout).
	Stuck bool
}

// depsSatisfied reports whether every dependency of t lets it start.
func (p *Plan) depsSatisfied(t *Task) bool {
	for _, id := range t.DependsOn {
		d, err := p.Task(id)
		if err != nil || !d.satisfiesDependents() {
			return false
		}
	}
	return true
}

// promoteReady moves PENDING tasks whose dependencies are satisfied to READY
// and returns their ids.
func (p *Plan) promoteReady(cause Cause) []string {
	var promoted []string
	for _, t := range p.Tasks {
		if t.Status == TaskPending && p.depsSatisfied(t) {
			p.setTaskStatus(t, TaskReady, cause)
			promoted = append(promoted, t.ID)
		}
	}
	return promoted
}

// ReadyTaskIDs lists the tasks that may start now, in plan order. Together
// they form the current parallel group.
func (p *Plan) ReadyTaskIDs() []string {
	var ids []string
	for _, t := range p.Tasks {
		if (t.Status == TaskReady || t.Status == TaskPending) && p.depsSatisfied(t) {
			ids = append(ids, t.ID)
		}
	}
	return ids
}

// AllRequiredTasksDone reports whether every non-optional task is COMPLETED
// or SKIPPED.
func (p *Plan) AllRequiredTasksDone() bool {
	for _, t := range p.Tasks {
		if !t.Optional && !t.Status.Done() {
			return false
		}
	}
	return true
}

// Progress summarises the plan for the workflow.
func (p *Plan) Progress() Progress {
	pr := Progress{ReadyTaskIDs: p.ReadyTaskIDs(), AllRequiredTasksDone: p.AllRequiredTasksDone()}
	for _, t := range p.Tasks {
		if t.Status.InFlight() {
			pr.InFlightTaskIDs = append(pr.InFlightTaskIDs, t.ID)
		}
	}
	pr.MoreReadyTasks = len(pr.ReadyTaskIDs) > 0
	pr.CompletionAllowed = IsOrderCompletionAllowed(p.CompletionPolicy, p).Allowed
	pr.Stuck = !pr.MoreReadyTasks && len(pr.InFlightTaskIDs) == 0 && !pr.AllRequiredTasksDone
	return pr
}
