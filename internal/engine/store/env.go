package store

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/engine/runtime"
)

// The command is the runtime's Env: reads go over the command's transaction (or the definition
// cache); effects are queued and written with the command's last batch, in call order.
var _ runtime.Env = (*command)(nil)

func (c *command) Now() time.Time { return c.now }

func (c *command) NewKey() int64 {
	key, err := c.s.keys.newKeyOn(c.ctx, c.conn)
	if err != nil {
		c.fail(err)
	}
	return key
}

func (c *command) Definition(key int64) (*runtime.Definition, error) {
	return c.s.definitionOn(c.ctx, c.conn, key)
}

func (c *command) LatestDefinition(bpmnProcessID string) (*runtime.Definition, error) {
	return c.s.latestDefinitionOn(c.ctx, c.conn, bpmnProcessID)
}

func (c *command) CreateJob(j runtime.Job) {
	headers := j.CustomHeaders
	if headers == nil {
		headers = map[string]string{}
	}
	c.queue(`INSERT INTO job (key, type, state, retries, custom_headers, process_instance_key,
		element_instance_key, element_id, bpmn_process_id, version, definition_key)
		VALUES ($1, $2, 'ACTIVATABLE', $3, $4, $5, $6, $7, $8, $9, $10)`,
		j.Key, j.Type, j.Retries, headers, j.ProcessInstanceKey, j.ElementInstanceKey, j.ElementID,
		j.BPMNProcessID, j.ProcessVersion, j.DefinitionKey)
	c.jobTypes[j.Type] = true
	c.afterCommit = append(c.afterCommit, func() { c.s.metrics.JobsCreated.WithLabelValues(j.Type).Inc() })
}

func (c *command) CancelJob(jobKey int64) {
	c.queue(`UPDATE job SET state = 'CANCELED' WHERE key = $1 AND state IN ('ACTIVATABLE', 'ACTIVATED', 'FAILED')`, jobKey)
	c.queue(`UPDATE incident SET state = 'RESOLVED', resolved_at = $2 WHERE job_key = $1 AND state = 'ACTIVE'`, jobKey, c.now)
}

func (c *command) CreateTimer(t runtime.Timer) {
	c.queue(`INSERT INTO timer (key, process_instance_key, element_instance_key, element_id, definition_key,
		due_at, repetitions, interval) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		t.Key, t.ProcessInstanceKey, t.ElementInstanceKey, t.ElementID, t.DefinitionKey, t.DueAt, t.Repetitions, t.Interval)
	c.timerWake = true
}

func (c *command) CancelTimer(timerKey int64) {
	c.queue(`DELETE FROM timer WHERE key = $1`, timerKey)
}

const findBufferedMessageSQL = `SELECT m.key, m.message_id, m.variables FROM message m
WHERE m.name = $1 AND m.correlation_key = $2 AND m.expires_at > $3 AND m.key <> ALL($5)
  AND NOT EXISTS (SELECT 1 FROM message_correlation mc WHERE mc.message_key = m.key AND mc.bpmn_process_id = $4)
ORDER BY m.key LIMIT 1`

// OpenSubscription takes the message's advisory lock (publish takes it too, so the two cannot
// miss each other) and looks for a buffered message this process id has not yet received.
func (c *command) OpenSubscription(sub runtime.MessageSubscription) (*runtime.Message, error) {
	var (
		found   bool
		msg     runtime.Message
		varsRaw []byte
	)
	b := &pgx.Batch{}
	b.Queue(`SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`, sub.MessageName, sub.CorrelationKey)
	b.Queue(findBufferedMessageSQL, sub.MessageName, sub.CorrelationKey, c.now, sub.BPMNProcessID, c.correlatedKeys()).
		QueryRow(func(row pgx.Row) error {
			err := row.Scan(&msg.Key, &msg.MessageID, &varsRaw)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			found = err == nil
			return err
		})
	if err := c.send(b); err != nil {
		c.fail(err)
		return nil, err
	}
	c.queue(`INSERT INTO message_subscription (key, process_instance_key, element_instance_key, element_id,
		bpmn_process_id, message_name, correlation_key, interrupting, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'OPEN')`,
		sub.Key, sub.ProcessInstanceKey, sub.ElementInstanceKey, sub.ElementID, sub.BPMNProcessID,
		sub.MessageName, sub.CorrelationKey, sub.Interrupting)
	if !found {
		return nil, nil
	}
	msg.Name, msg.CorrelationKey = sub.MessageName, sub.CorrelationKey
	if err := json.Unmarshal(varsRaw, &msg.Variables); err != nil {
		c.fail(err)
		return nil, err
	}
	c.correlated = append(c.correlated, msg.Key)
	c.queue(`INSERT INTO message_correlation (message_key, bpmn_process_id, process_instance_key) VALUES ($1, $2, $3)`,
		msg.Key, sub.BPMNProcessID, sub.ProcessInstanceKey)
	c.afterCommit = append(c.afterCommit, c.s.metrics.MessagesCorrelated.Inc)
	return &msg, nil
}

func (c *command) correlatedKeys() []int64 {
	if c.correlated == nil {
		return []int64{}
	}
	return c.correlated
}

func (c *command) CloseSubscription(subscriptionKey int64) {
	c.queue(`DELETE FROM message_subscription WHERE key = $1`, subscriptionKey)
}

func (c *command) OpenSignalSubscription(sub runtime.SignalSubscription) {
	c.queue(`INSERT INTO signal_subscription (key, process_instance_key, element_instance_key, element_id,
		definition_key, signal_name) VALUES ($1, $2, $3, $4, 0, $5)`,
		sub.Key, sub.ProcessInstanceKey, sub.ElementInstanceKey, sub.ElementID, sub.SignalName)
}

func (c *command) CloseSignalSubscription(subscriptionKey int64) {
	c.queue(`DELETE FROM signal_subscription WHERE key = $1`, subscriptionKey)
}

func (c *command) CreateIncident(in runtime.Incident) {
	c.queue(`INSERT INTO incident (key, type, message, process_instance_key, element_instance_key, element_id,
		bpmn_process_id, definition_key, job_key, state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'ACTIVE', $10)`,
		in.Key, string(in.Type), in.Message, in.ProcessInstanceKey, in.ElementInstanceKey, in.ElementID,
		in.BPMNProcessID, in.DefinitionKey, in.JobKey, c.now)
	c.afterCommit = append(c.afterCommit, func() { c.s.metrics.Incidents.WithLabelValues(string(in.Type)).Inc() })
}

func (c *command) ResolveIncident(incidentKey int64) {
	c.queue(`UPDATE incident SET state = 'RESOLVED', resolved_at = $2 WHERE key = $1 AND state = 'ACTIVE'`, incidentKey, c.now)
}

// CreateChild starts a called process in this transaction: the child's effects join this
// command's batch.
func (c *command) CreateChild(req runtime.ChildRequest) (int64, error) {
	key := c.NewKey()
	if c.err != nil {
		return 0, c.err
	}
	child, err := runtime.Start(c, req.Definition, runtime.StartRequest{
		Key:                      key,
		Variables:                req.Variables,
		ParentInstanceKey:        req.ParentInstanceKey,
		ParentElementInstanceKey: req.ParentElementInstanceKey,
	})
	if err != nil {
		return 0, err
	}
	c.addInstance(child, true)
	return key, nil
}

func (c *command) TerminateChild(childInstanceKey int64) {
	c.addPending(childInstanceKey, pendingTerminate, struct{}{})
}

func (c *command) NotifyParent(n runtime.ParentNotice) {
	c.addPending(n.ParentInstanceKey, pendingChildEnded, n)
}

func (c *command) Record(r runtime.Record) { c.journal = append(c.journal, r) }
