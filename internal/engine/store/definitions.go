package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/engine/feel"
	"github.com/orderfleet/orderfleet/internal/engine/model"
	"github.com/orderfleet/orderfleet/internal/engine/runtime"
)

// Resource is one deployed file.
type Resource struct {
	Name    string
	Content []byte
}

// DeployedProcess is one process version a deployment produced (or found unchanged).
type DeployedProcess struct {
	BPMNProcessID string
	Version       int32
	Key           int64
	ResourceName  string
}

// Deployment is a deployment's answer.
type Deployment struct {
	Key       int64
	Processes []DeployedProcess
}

// deployLockID serializes deployments, so versions are numbered without gaps or races.
const deployLockID = 7_220_415_002

// Deploy parses and stores BPMN resources. A process whose XML is unchanged since its latest
// version keeps that version and key; otherwise it gets version+1, and the new latest version's
// message, timer and signal start events replace the old ones'.
func (s *Store) Deploy(ctx context.Context, resources []Resource) (*Deployment, error) {
	if len(resources) == 0 {
		return nil, invalid("expected to deploy at least one resource, but none given")
	}
	type parsed struct {
		res  Resource
		proc *model.Process
	}
	var all []parsed
	for _, r := range resources {
		lower := strings.ToLower(r.Name)
		if strings.HasSuffix(lower, ".dmn") {
			return nil, newError(CodeUnimplemented, "resource %q: decisions (DMN) are not supported: this engine runs BPMN only", r.Name)
		}
		if !strings.HasSuffix(lower, ".bpmn") && !strings.HasSuffix(lower, ".xml") {
			return nil, invalid("resource %q: expected a BPMN file (.bpmn or .xml)", r.Name)
		}
		defs, err := parseBPMN(r.Name, r.Content)
		if err != nil {
			return nil, invalid("resource %q: %v", r.Name, err)
		}
		if defs == nil || len(defs.Processes) == 0 {
			return nil, invalid("resource %q: it contains no executable process", r.Name)
		}
		for _, p := range defs.Processes {
			all = append(all, parsed{res: r, proc: p})
		}
	}
	now := s.clock.Now()
	deploymentKey, err := s.keys.newKey(ctx)
	if err != nil {
		return nil, err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(deployLockID)); err != nil {
		return nil, err
	}
	out := &Deployment{Key: deploymentKey}
	var fresh []*runtime.Definition
	timers := false
	for _, p := range all {
		sum := sha256.Sum256(p.res.Content)
		checksum := hex.EncodeToString(sum[:])
		var (
			lastKey      int64
			lastVersion  int32
			lastChecksum string
			lastDeleted  bool
		)
		err := tx.QueryRow(ctx, `SELECT key, version, checksum, deleted FROM definition WHERE bpmn_process_id = $1
			ORDER BY version DESC LIMIT 1`, p.proc.ID).Scan(&lastKey, &lastVersion, &lastChecksum, &lastDeleted)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return nil, err
		}
		if err == nil && !lastDeleted && lastChecksum == checksum {
			out.Processes = append(out.Processes, DeployedProcess{p.proc.ID, lastVersion, lastKey, p.res.Name})
			continue
		}
		key, err := s.keys.newKeyOn(ctx, tx)
		if err != nil {
			return nil, err
		}
		version := lastVersion + 1
		if _, err := tx.Exec(ctx, `INSERT INTO definition (key, bpmn_process_id, version, resource_name, checksum, xml, deployed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, key, p.proc.ID, version, p.res.Name, checksum, string(p.res.Content), now); err != nil {
			return nil, err
		}
		def := &runtime.Definition{Key: key, BPMNProcessID: p.proc.ID, Version: version, Process: p.proc}
		hasTimer, err := s.replaceStartEvents(ctx, tx, def, now)
		if err != nil {
			return nil, err
		}
		timers = timers || hasTimer
		fresh = append(fresh, def)
		out.Processes = append(out.Processes, DeployedProcess{p.proc.ID, version, key, p.res.Name})
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	s.defsMu.Lock()
	for _, d := range fresh {
		s.defs[d.Key] = d
	}
	s.defsMu.Unlock()
	if timers {
		s.wakeLeader()
	}
	return out, nil
}

// replaceStartEvents drops the start subscriptions and start timers of older versions and opens
// the new version's.
func (s *Store) replaceStartEvents(ctx context.Context, tx pgx.Tx, def *runtime.Definition, now time.Time) (bool, error) {
	id := def.BPMNProcessID
	for _, sql := range []string{
		`DELETE FROM message_start_subscription WHERE bpmn_process_id = $1`,
		`DELETE FROM timer WHERE process_instance_key = 0 AND definition_key IN (SELECT key FROM definition WHERE bpmn_process_id = $1)`,
		`DELETE FROM signal_subscription WHERE process_instance_key = 0 AND definition_key IN (SELECT key FROM definition WHERE bpmn_process_id = $1)`,
	} {
		if _, err := tx.Exec(ctx, sql, id); err != nil {
			return false, err
		}
	}
	hasTimer := false
	root := def.Process.Root
	if root == nil {
		return false, nil
	}
	for _, ev := range root.StartEvents {
		switch {
		case ev.EventType == model.MessageEvent && ev.Message != nil:
			name, err := staticString(ev.Message.Name, now)
			if err != nil {
				return false, invalid("start event %q: message name: %v", ev.ID, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO message_start_subscription (definition_key, bpmn_process_id, element_id, message_name)
				VALUES ($1, $2, $3, $4)`, def.Key, id, ev.ID, name); err != nil {
				return false, err
			}
		case ev.EventType == model.TimerEvent && ev.Timer != nil:
			value, err := staticString(ev.Timer.Value, now)
			if err != nil {
				return false, invalid("start event %q: timer: %v", ev.ID, err)
			}
			due, repetitions, interval, err := runtime.TimerSchedule(ev.Timer.Kind, value, now)
			if err != nil {
				return false, invalid("start event %q: timer: %v", ev.ID, err)
			}
			key, err := s.keys.newKeyOn(ctx, tx)
			if err != nil {
				return false, err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO timer (key, process_instance_key, element_instance_key, element_id,
				definition_key, due_at, repetitions, interval) VALUES ($1, 0, 0, $2, $3, $4, $5, $6)`,
				key, ev.ID, def.Key, due.UTC(), repetitions, interval); err != nil {
				return false, err
			}
			hasTimer = true
		case ev.EventType == model.SignalEvent && ev.Signal != nil:
			name, err := staticString(ev.Signal.Name, now)
			if err != nil {
				return false, invalid("start event %q: signal name: %v", ev.ID, err)
			}
			key, err := s.keys.newKeyOn(ctx, tx)
			if err != nil {
				return false, err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO signal_subscription (key, process_instance_key, element_instance_key,
				element_id, definition_key, signal_name) VALUES ($1, 0, 0, $2, $3, $4)`, key, ev.ID, def.Key, name); err != nil {
				return false, err
			}
		}
	}
	return hasTimer, nil
}

// staticString evaluates an expression that may not use variables (start events have none).
func staticString(x *model.Expr, now time.Time) (string, error) {
	if x == nil {
		return "", errors.New("missing")
	}
	v, err := x.Eval(feel.Context{Lookup: func(string) (any, bool) { return nil, false }, Now: now})
	if err != nil {
		return "", err
	}
	switch t := v.(type) {
	case string:
		return t, nil
	case fmt.Stringer:
		return t.String(), nil
	case nil:
		return "", errors.New("evaluated to null")
	}
	return fmt.Sprint(v), nil
}

// definition returns a deployed version from the cache, loading and parsing it on a miss.
func (s *Store) definition(ctx context.Context, key int64) (*runtime.Definition, error) {
	return s.definitionOn(ctx, s.pool, key)
}

func (s *Store) definitionOn(ctx context.Context, q querier, key int64) (*runtime.Definition, error) {
	s.defsMu.RLock()
	d, ok := s.defs[key]
	s.defsMu.RUnlock()
	if ok {
		return d, nil
	}
	var (
		id, name, xml string
		version       int32
	)
	err := q.QueryRow(ctx, `SELECT bpmn_process_id, version, resource_name, xml FROM definition WHERE key = $1`, key).
		Scan(&id, &version, &name, &xml)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, runtime.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	defs, err := parseBPMN(name, []byte(xml))
	if err != nil {
		return nil, fmt.Errorf("parse stored definition %d: %w", key, err)
	}
	for _, p := range defs.Processes {
		if p.ID == id {
			d = &runtime.Definition{Key: key, BPMNProcessID: id, Version: version, Process: p}
			s.defsMu.Lock()
			s.defs[key] = d
			s.defsMu.Unlock()
			return d, nil
		}
	}
	return nil, fmt.Errorf("stored definition %d has no process %q", key, id)
}

// latestDefinition is the newest non-deleted version of a process id.
func (s *Store) latestDefinition(ctx context.Context, bpmnProcessID string) (*runtime.Definition, error) {
	return s.latestDefinitionOn(ctx, s.pool, bpmnProcessID)
}

func (s *Store) latestDefinitionOn(ctx context.Context, q querier, bpmnProcessID string) (*runtime.Definition, error) {
	var key int64
	err := q.QueryRow(ctx, `SELECT key FROM definition WHERE bpmn_process_id = $1 AND NOT deleted
		ORDER BY version DESC LIMIT 1`, bpmnProcessID).Scan(&key)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, runtime.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return s.definitionOn(ctx, q, key)
}

// definitionByVersion finds a process id's given version (-1 or 0: the latest).
func (s *Store) definitionByVersion(ctx context.Context, bpmnProcessID string, version int32) (*runtime.Definition, error) {
	if version <= 0 {
		return s.latestDefinition(ctx, bpmnProcessID)
	}
	var key int64
	err := s.pool.QueryRow(ctx, `SELECT key FROM definition WHERE bpmn_process_id = $1 AND version = $2 AND NOT deleted`,
		bpmnProcessID, version).Scan(&key)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, runtime.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return s.definition(ctx, key)
}
