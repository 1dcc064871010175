package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderfleet/orderfleet/internal/engine/runtime"
)

// command is one engine command: one transaction on one pooled connection. To keep round trips
// few, BEGIN travels in the first batch (the lock) and COMMIT in the last (the writes); reads the
// runtime asks for in between (subscriptions, children) go over the same connection.
type command struct {
	s     *Store
	ctx   context.Context
	conn  *pgxpool.Conn
	name  string
	now   time.Time
	begun bool
	done  bool

	writes      pgx.Batch
	journal     []runtime.Record
	instances   []*instanceWrite
	pending     []*pendingCommand
	jobTypes    map[string]bool
	correlated  []int64 // buffered messages this command already correlated
	timerWake   bool
	err         error // an Env failure the runtime could not be told about
	afterCommit []func()
}

type instanceWrite struct {
	in        *runtime.Instance
	wasActive bool
	isNew     bool
}

func (s *Store) newCommand(ctx context.Context, name string) (*command, error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("acquire a database connection: %w", err)
	}
	return &command{s: s, ctx: ctx, conn: conn, name: name, now: s.clock.Now(), jobTypes: map[string]bool{}}, nil
}

// send runs a batch inside the command's transaction, opening it first if needed.
func (c *command) send(b *pgx.Batch) error {
	if !c.begun {
		b.QueuedQueries = append([]*pgx.QueuedQuery{{SQL: "BEGIN"}}, b.QueuedQueries...)
		c.begun = true
	}
	return c.conn.SendBatch(c.ctx, b).Close()
}

// release ends the command: a transaction still open is rolled back; a connection in an unknown
// state is closed instead of going back to the pool.
func (c *command) release() {
	if c.conn == nil {
		return
	}
	if c.begun && !c.done {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if _, err := c.conn.Exec(ctx, "ROLLBACK"); err != nil {
			_ = c.conn.Conn().Close(ctx)
		}
		cancel()
	}
	c.conn.Release()
	c.conn = nil
}

func (c *command) addInstance(in *runtime.Instance, isNew bool) {
	c.instances = append(c.instances, &instanceWrite{in: in, wasActive: !isNew && in.State == runtime.InstanceActive, isNew: isNew})
}

func (c *command) queue(sql string, args ...any) { c.writes.Queue(sql, args...) }

// pendingCommand is work for another instance, run after this command commits (lock order).
type pendingCommand struct {
	ID          int64
	InstanceKey int64
	Kind        string
	Payload     json.RawMessage
}

const (
	pendingCorrelate  = "correlate"
	pendingTerminate  = "terminate"
	pendingChildEnded = "child_ended"
	pendingSignal     = "signal"
)

func (c *command) addPending(instanceKey int64, kind string, payload any) {
	raw, err := json.Marshal(payload)
	if err != nil {
		c.fail(err)
		return
	}
	p := &pendingCommand{InstanceKey: instanceKey, Kind: kind, Payload: raw}
	c.pending = append(c.pending, p)
	c.writes.Queue(`INSERT INTO pending_command (process_instance_key, kind, payload) VALUES ($1, $2, $3) RETURNING id`,
		instanceKey, kind, raw).QueryRow(func(row pgx.Row) error { return row.Scan(&p.ID) })
}

func (c *command) fail(err error) {
	if c.err == nil {
		c.err = err
	}
}

const upsertInstanceSQL = `INSERT INTO process_instance AS p (key, definition_key, bpmn_process_id, version, state,
	parent_instance_key, started_at, ended_at, has_incident, variables, doc)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
	EXISTS (SELECT 1 FROM incident WHERE process_instance_key = $1 AND state = 'ACTIVE'), $9, $10)
ON CONFLICT (key) DO UPDATE SET state = EXCLUDED.state, ended_at = EXCLUDED.ended_at,
	has_incident = EXCLUDED.has_incident, variables = EXCLUDED.variables, doc = EXCLUDED.doc`

const insertJournalSQL = `INSERT INTO journal (process_instance_key, key, value_type, intent, element_id,
	element_type, flow_scope_key, detail, at)
SELECT i, k, vt, it, e, et, f, d, $9 FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[],
	$5::text[], $6::text[], $7::bigint[], $8::jsonb[]) AS r(i, k, vt, it, e, et, f, d)`

// commit writes the instances, the journal and every queued effect, then COMMIT, in one round
// trip; after the commit it wakes whoever waits on what the command changed.
func (c *command) commit() error {
	if err := c.queueFinalWrites(); err != nil {
		return err
	}
	c.writes.Queue("COMMIT")
	if err := c.send(&c.writes); err != nil {
		return err
	}
	c.done = true
	c.afterCommitted()
	return nil
}

// queueFinalWrites adds the instance documents and the journal to the command's writes.
func (c *command) queueFinalWrites() error {
	if c.err != nil {
		return c.err
	}
	for _, w := range c.instances {
		vars := w.in.RootVariables()
		if vars == nil {
			vars = runtime.Vars{}
		}
		varsJSON, err := json.Marshal(vars)
		if err != nil {
			return fmt.Errorf("encode variables of instance %d: %w", w.in.Key, err)
		}
		doc, err := json.Marshal(w.in)
		if err != nil {
			return fmt.Errorf("encode instance %d: %w", w.in.Key, err)
		}
		c.writes.Queue(upsertInstanceSQL, w.in.Key, w.in.DefinitionKey, w.in.BPMNProcessID, w.in.Version,
			string(w.in.State), w.in.ParentInstanceKey, w.in.StartedAt, w.in.EndedAt, varsJSON, doc)
	}
	if n := len(c.journal); n > 0 {
		pis, keys, flows := make([]int64, n), make([]int64, n), make([]int64, n)
		vts, intents, elems, etypes := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		details := make([]*string, n)
		for i, r := range c.journal {
			pis[i], keys[i], flows[i] = r.ProcessInstanceKey, r.Key, r.FlowScopeKey
			vts[i], intents[i], elems[i], etypes[i] = r.ValueType, r.Intent, r.ElementID, string(r.ElementType)
			if len(r.Detail) > 0 {
				d := string(r.Detail)
				details[i] = &d
			}
		}
		c.writes.Queue(insertJournalSQL, pis, keys, vts, intents, elems, etypes, flows, details, c.now)
	}
	return nil
}

func (c *command) afterCommitted() {
	s := c.s
	for t := range c.jobTypes {
		s.jobSignals.signal(t)
		s.notifier.add(t)
	}
	if c.timerWake {
		s.wakeLeader()
	}
	for _, w := range c.instances {
		if w.isNew {
			s.metrics.InstancesCreated.Inc()
		}
		if (w.isNew || w.wasActive) && w.in.State != runtime.InstanceActive {
			if w.in.State == runtime.InstanceCompleted {
				s.metrics.InstancesCompleted.Inc()
			} else {
				s.metrics.InstancesTerminated.Inc()
			}
			s.endWaiters.signal(w.in.Key)
		}
	}
	for _, f := range c.afterCommit {
		f()
	}
	for _, p := range c.pending {
		s.startPending(p)
	}
}

// errSkip rolls a command back without an error (its work was already done).
var errSkip = errors.New("skip")

// instanceCommand locks one instance row with lockSQL (which must select its doc FOR UPDATE),
// runs extra reads queued after the lock in the same round trip, decodes the document, and
// runs fn; when fn succeeds everything is written and committed.
func (s *Store) instanceCommand(ctx context.Context, name, lockSQL string, lockArg int64,
	extra func(b *pgx.Batch), fn func(c *command, in *runtime.Instance) error) error {
	return s.runCommand(ctx, name, func(c *command) error {
		var doc []byte
		b := &pgx.Batch{}
		b.Queue(lockSQL, lockArg).QueryRow(func(row pgx.Row) error { return row.Scan(&doc) })
		if extra != nil {
			extra(b)
		}
		if err := c.send(b); err != nil {
			if errors.Is(err, pgx.ErrNoRows) && doc == nil {
				return errInstanceMissing
			}
			return err
		}
		in := &runtime.Instance{}
		if err := json.Unmarshal(doc, in); err != nil {
			return fmt.Errorf("decode instance document: %w", err)
		}
		c.addInstance(in, false)
		return fn(c, in)
	})
}

// runCommand runs fn in a new command timed under name and commits it when fn succeeds; errSkip
// from fn rolls it back as a success.
func (s *Store) runCommand(ctx context.Context, name string, fn func(c *command) error) error {
	start := time.Now()
	defer func() { s.metrics.CommandLatency.WithLabelValues(name).Observe(time.Since(start).Seconds()) }()
	c, err := s.newCommand(ctx, name)
	if err != nil {
		return err
	}
	defer c.release()
	if err := fn(c); err != nil {
		if errors.Is(err, errSkip) {
			return nil
		}
		return err
	}
	return c.commit()
}

// errInstanceMissing is the lock query finding no instance row.
var errInstanceMissing = notFound("process instance not found")

const lockInstanceSQL = `SELECT doc FROM process_instance WHERE key = $1 FOR UPDATE`
const lockJobInstanceSQL = `SELECT doc FROM process_instance WHERE key = (SELECT process_instance_key FROM job WHERE key = $1) FOR UPDATE`

// newInstanceCommand runs fn in a command that locks nothing first (it creates instances).
func (s *Store) newInstanceCommand(ctx context.Context, name string, fn func(c *command) error) error {
	return s.runCommand(ctx, name, fn)
}
