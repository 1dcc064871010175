package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/engine/model"
	"github.com/orderfleet/orderfleet/internal/engine/runtime"
)

// CreateInstanceRequest names the process by definition key, or by bpmnProcessId and version
// (-1: the latest).
type CreateInstanceRequest struct {
	DefinitionKey   int64
	BPMNProcessID   string
	Version         int32
	Variables       string
	StartElementIDs []string
}

// CreatedInstance is CreateProcessInstance's answer.
type CreatedInstance struct {
	DefinitionKey int64
	BPMNProcessID string
	Version       int32
	InstanceKey   int64
}

func (s *Store) resolveDefinition(ctx context.Context, req CreateInstanceRequest) (*runtime.Definition, error) {
	if req.DefinitionKey != 0 {
		def, err := s.definition(ctx, req.DefinitionKey)
		if errors.Is(err, runtime.ErrNotFound) || err == nil && s.isDeleted(ctx, def.Key) {
			return nil, notFound("Expected to find process definition with key '%d', but none found", req.DefinitionKey)
		}
		return def, err
	}
	if req.BPMNProcessID == "" {
		return nil, invalid("expected a process definition key or a bpmnProcessId, but got neither")
	}
	def, err := s.definitionByVersion(ctx, req.BPMNProcessID, req.Version)
	if errors.Is(err, runtime.ErrNotFound) {
		if req.Version > 0 {
			return nil, notFound("Expected to find process definition with process ID '%s' and version '%d', but none found", req.BPMNProcessID, req.Version)
		}
		return nil, notFound("Expected to find process definition with process ID '%s', but none found", req.BPMNProcessID)
	}
	return def, err
}

func (s *Store) isDeleted(ctx context.Context, key int64) bool {
	var deleted bool
	if err := s.pool.QueryRow(ctx, `SELECT deleted FROM definition WHERE key = $1`, key).Scan(&deleted); err != nil {
		return false
	}
	return deleted
}

func hasNoneStart(p *model.Process) bool {
	if p.Root == nil {
		return false
	}
	for _, e := range p.Root.StartEvents {
		if e.EventType == model.NoneEvent || e.EventType == "" {
			return true
		}
	}
	return false
}

// CreateInstance starts an instance and runs it until it waits.
func (s *Store) CreateInstance(ctx context.Context, req CreateInstanceRequest) (*CreatedInstance, error) {
	vars, err := parseVars("the process instance variables", req.Variables)
	if err != nil {
		return nil, err
	}
	def, err := s.resolveDefinition(ctx, req)
	if err != nil {
		return nil, err
	}
	if len(req.StartElementIDs) == 0 && !hasNoneStart(def.Process) {
		return nil, precondition("Expected to create instance of process with none start event, but there is no such event")
	}
	for _, id := range req.StartElementIDs {
		if _, ok := def.Process.Elements[id]; !ok {
			return nil, invalid("Expected to create instance of process with start instructions but the element with id '%s' could not be found", id)
		}
	}
	var out *CreatedInstance
	err = s.newInstanceCommand(ctx, "create_instance", func(c *command) error {
		key := c.NewKey()
		if c.err != nil {
			return c.err
		}
		in, err := runtime.Start(c, def, runtime.StartRequest{Key: key, Variables: vars, StartElementIDs: req.StartElementIDs})
		if err != nil {
			return err
		}
		c.addInstance(in, true)
		out = &CreatedInstance{DefinitionKey: def.Key, BPMNProcessID: def.BPMNProcessID, Version: def.Version, InstanceKey: key}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// InstanceResult is CreateProcessInstanceWithResult's answer.
type InstanceResult struct {
	CreatedInstance
	Variables string
}

// CreateInstanceWithResult starts an instance and waits until it completes (or ctx ends).
func (s *Store) CreateInstanceWithResult(ctx context.Context, req CreateInstanceRequest, fetch []string) (*InstanceResult, error) {
	created, err := s.CreateInstance(ctx, req)
	if err != nil {
		return nil, err
	}
	return s.AwaitInstanceResult(ctx, created, fetch)
}

// AwaitInstanceResult waits until a created instance completes (or ctx ends) and answers its
// root variables, limited to fetch when not empty.
func (s *Store) AwaitInstanceResult(ctx context.Context, created *CreatedInstance, fetch []string) (*InstanceResult, error) {
	key := created.InstanceKey
	defer s.endWaiters.forget(key)
	poll := time.NewTicker(500 * time.Millisecond)
	defer poll.Stop()
	for {
		ended := s.endWaiters.wait(key)
		var (
			state string
			vars  []byte
		)
		if err := s.pool.QueryRow(ctx, `SELECT state, variables FROM process_instance WHERE key = $1`, key).Scan(&state, &vars); err != nil {
			if ctx.Err() != nil {
				return nil, newError(CodeDeadlineExceeded, "timed out waiting for process instance %d to complete", key)
			}
			return nil, err
		}
		switch runtime.InstanceState(state) {
		case runtime.InstanceCompleted:
			var v runtime.Vars
			if err := json.Unmarshal(vars, &v); err != nil {
				return nil, err
			}
			return &InstanceResult{CreatedInstance: *created, Variables: filterVars(v, fetch)}, nil
		case runtime.InstanceTerminated:
			return nil, precondition("process instance %d was terminated before it completed", key)
		}
		select {
		case <-ended:
		case <-poll.C:
		case <-ctx.Done():
			return nil, newError(CodeDeadlineExceeded, "timed out waiting for process instance %d to complete", key)
		}
	}
}

// CancelInstance terminates a root process instance.
func (s *Store) CancelInstance(ctx context.Context, key int64) error {
	err := s.instanceCommand(ctx, "cancel_instance", lockInstanceSQL, key, nil, func(c *command, in *runtime.Instance) error {
		if in.State != runtime.InstanceActive {
			return notFound("Expected to cancel a process instance with key '%d', but no such process instance was found", key)
		}
		if in.ParentInstanceKey != 0 {
			return precondition("Expected to cancel a process instance with key '%d', but it is created by a parent process instance. Cancel the root process instance '%d' instead.", key, in.ParentInstanceKey)
		}
		return in.Cancel(c)
	})
	if errors.Is(err, errInstanceMissing) {
		return notFound("Expected to cancel a process instance with key '%d', but no such process instance was found", key)
	}
	return err
}

// lockByElementSQL locks the instance that owns an element instance (or is that key).
const lockByElementSQL = `SELECT doc FROM process_instance WHERE key = coalesce(
	(SELECT key FROM process_instance WHERE key = $1),
	(SELECT process_instance_key FROM journal WHERE key = $1 LIMIT 1)) FOR UPDATE`

// SetVariables sets variables on an element instance's scope; it answers the command's key.
func (s *Store) SetVariables(ctx context.Context, elementInstanceKey int64, variables string, local bool) (int64, error) {
	vars, err := parseVars("the variables", variables)
	if err != nil {
		return 0, err
	}
	var key int64
	missing := notFound("Expected to update variables for element with key '%d', but no such element was found", elementInstanceKey)
	err = s.instanceCommand(ctx, "set_variables", lockByElementSQL, elementInstanceKey, nil, func(c *command, in *runtime.Instance) error {
		if in.State != runtime.InstanceActive || (elementInstanceKey != in.Key && !in.HasElementInstance(elementInstanceKey)) {
			return missing
		}
		key = c.NewKey()
		return in.SetVariables(c, elementInstanceKey, vars, local)
	})
	if errors.Is(err, errInstanceMissing) {
		return 0, missing
	}
	return key, err
}

// ModifyActivate is one activate instruction of ModifyProcessInstance.
type ModifyActivate struct {
	ElementID                  string
	AncestorElementInstanceKey int64
	Variables                  []ModifyVariables
}

// ModifyVariables are variables for the scope ScopeID ("" the process).
type ModifyVariables struct {
	ScopeID   string
	Variables string
}

// ModifyInstance terminates and activates element instances.
func (s *Store) ModifyInstance(ctx context.Context, key int64, activate []ModifyActivate, terminate []int64) error {
	var acts []runtime.ActivateInstruction
	for _, a := range activate {
		ai := runtime.ActivateInstruction{ElementID: a.ElementID, AncestorElementInstanceKey: a.AncestorElementInstanceKey}
		for _, v := range a.Variables {
			vars, err := parseVars("the variables of an activate instruction", v.Variables)
			if err != nil {
				return err
			}
			ai.Variables = append(ai.Variables, runtime.ScopedVars{ScopeID: v.ScopeID, Variables: vars})
		}
		acts = append(acts, ai)
	}
	missing := notFound("Expected to modify process instance but no process instance found with key '%d'", key)
	err := s.instanceCommand(ctx, "modify_instance", lockInstanceSQL, key, nil, func(c *command, in *runtime.Instance) error {
		if in.State != runtime.InstanceActive {
			return missing
		}
		def, err := c.Definition(in.DefinitionKey)
		if err != nil {
			return err
		}
		for _, a := range acts {
			if _, ok := def.Process.Elements[a.ElementID]; !ok {
				return invalid("Expected to modify instance of process '%s' but it contains one or more activate instructions with an element that could not be found: '%s'", in.BPMNProcessID, a.ElementID)
			}
		}
		for _, t := range terminate {
			if !in.HasElementInstance(t) {
				return invalid("Expected to modify instance of process '%s' but it contains one or more terminate instructions with an element instance that could not be found: '%d'", in.BPMNProcessID, t)
			}
		}
		return in.Modify(c, acts, terminate)
	})
	if errors.Is(err, errInstanceMissing) {
		return missing
	}
	return err
}

// DeleteResource deletes a process definition that has no active instances. The previous
// version, if any, becomes the latest and its start events open again.
func (s *Store) DeleteResource(ctx context.Context, key int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(deployLockID)); err != nil {
		return err
	}
	var (
		id      string
		deleted bool
	)
	err = tx.QueryRow(ctx, `SELECT bpmn_process_id, deleted FROM definition WHERE key = $1`, key).Scan(&id, &deleted)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && deleted {
		return notFound("Expected to delete resource but no resource found with key `%d`", key)
	}
	if err != nil {
		return err
	}
	var active bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM process_instance WHERE definition_key = $1 AND state = 'ACTIVE')`, key).Scan(&active); err != nil {
		return err
	}
	if active {
		return precondition("Expected to delete process definition with key '%d', but there are running instances of it", key)
	}
	if _, err := tx.Exec(ctx, `UPDATE definition SET deleted = true WHERE key = $1`, key); err != nil {
		return err
	}
	var latest int64
	err = tx.QueryRow(ctx, `SELECT key FROM definition WHERE bpmn_process_id = $1 AND NOT deleted ORDER BY version DESC LIMIT 1`, id).Scan(&latest)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		for _, sql := range []string{
			`DELETE FROM message_start_subscription WHERE definition_key = $1`,
			`DELETE FROM timer WHERE process_instance_key = 0 AND definition_key = $1`,
			`DELETE FROM signal_subscription WHERE process_instance_key = 0 AND definition_key = $1`,
		} {
			if _, err := tx.Exec(ctx, sql, key); err != nil {
				return err
			}
		}
	case err != nil:
		return err
	default:
		def, err := s.definitionOn(ctx, tx, latest)
		if err != nil {
			return err
		}
		if _, err := s.replaceStartEvents(ctx, tx, def, s.clock.Now()); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("delete resource %d: %w", key, err)
	}
	s.wakeLeader()
	return nil
}
