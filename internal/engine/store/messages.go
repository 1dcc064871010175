package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/engine/runtime"
)

// PublishRequest is PublishMessage's input.
type PublishRequest struct {
	Name           string
	CorrelationKey string
	TTL            time.Duration
	MessageID      string
	Variables      string
}

type correlatePayload struct {
	Subscription runtime.MessageSubscription `json:"subscription"`
	Message      runtime.Message             `json:"message"`
}

type startSubscription struct {
	definitionKey int64
	bpmnProcessID string
	elementID     string
}

// PublishMessage publishes a message: it is buffered for its TTL, handed to at most one open
// subscription per bpmnProcessId (as a pending correlate command), and starts instances of
// processes with a matching message start event.
func (s *Store) PublishMessage(ctx context.Context, req PublishRequest) (int64, error) {
	if req.Name == "" {
		return 0, invalid("Expected to publish a message with a name, but the name is empty")
	}
	if req.TTL < 0 {
		return 0, invalid("Expected to publish a message with a non-negative time to live, but was %d", req.TTL.Milliseconds())
	}
	vars, err := parseVars("the message variables", req.Variables)
	if err != nil {
		return 0, err
	}
	var key int64
	err = s.newInstanceCommand(ctx, "publish_message", func(c *command) error {
		key = c.NewKey()
		if c.err != nil {
			return c.err
		}
		var (
			duplicate bool
			subs      []runtime.MessageSubscription
			starts    []startSubscription
		)
		b := &pgx.Batch{}
		b.Queue(`SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`, req.Name, req.CorrelationKey)
		if req.MessageID != "" {
			b.Queue(`SELECT EXISTS (SELECT 1 FROM message WHERE name = $1 AND correlation_key = $2 AND message_id = $3 AND expires_at > $4)`,
				req.Name, req.CorrelationKey, req.MessageID, c.now).QueryRow(func(row pgx.Row) error { return row.Scan(&duplicate) })
		}
		b.Queue(`SELECT DISTINCT ON (bpmn_process_id) key, process_instance_key, element_instance_key, element_id,
				bpmn_process_id, interrupting
			FROM message_subscription WHERE message_name = $1 AND correlation_key = $2 AND state = 'OPEN'
			ORDER BY bpmn_process_id, key`, req.Name, req.CorrelationKey).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				sub := runtime.MessageSubscription{MessageName: req.Name, CorrelationKey: req.CorrelationKey}
				if err := rows.Scan(&sub.Key, &sub.ProcessInstanceKey, &sub.ElementInstanceKey, &sub.ElementID,
					&sub.BPMNProcessID, &sub.Interrupting); err != nil {
					return err
				}
				subs = append(subs, sub)
			}
			return rows.Err()
		})
		b.Queue(`SELECT definition_key, bpmn_process_id, element_id FROM message_start_subscription WHERE message_name = $1
			ORDER BY bpmn_process_id`, req.Name).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				var st startSubscription
				if err := rows.Scan(&st.definitionKey, &st.bpmnProcessID, &st.elementID); err != nil {
					return err
				}
				starts = append(starts, st)
			}
			return rows.Err()
		})
		if err := c.send(b); err != nil {
			return err
		}
		if duplicate {
			return newError(CodeAlreadyExists, "Expected to publish a new message with id '%s', but a message with that id was already published", req.MessageID)
		}
		buffered := req.TTL > 0
		if buffered {
			if req.MessageID != "" {
				c.queue(`DELETE FROM message WHERE name = $1 AND correlation_key = $2 AND message_id = $3`, req.Name, req.CorrelationKey, req.MessageID)
			}
			c.queue(`INSERT INTO message (key, name, correlation_key, message_id, variables, published_at, expires_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, key, req.Name, req.CorrelationKey, req.MessageID, vars, c.now, c.now.Add(req.TTL))
		}
		msg := runtime.Message{Key: key, Name: req.Name, CorrelationKey: req.CorrelationKey, MessageID: req.MessageID, Variables: vars}
		taken := map[string]bool{}
		for _, sub := range subs {
			taken[sub.BPMNProcessID] = true
			if buffered {
				c.queue(`INSERT INTO message_correlation (message_key, bpmn_process_id, process_instance_key) VALUES ($1, $2, $3)`,
					key, sub.BPMNProcessID, sub.ProcessInstanceKey)
			}
			if sub.Interrupting {
				c.queue(`UPDATE message_subscription SET state = 'CORRELATING' WHERE key = $1`, sub.Key)
			}
			c.addPending(sub.ProcessInstanceKey, pendingCorrelate, correlatePayload{Subscription: sub, Message: msg})
		}
		if len(subs) > 0 {
			n := float64(len(subs))
			c.afterCommit = append(c.afterCommit, func() { s.metrics.MessagesCorrelated.Add(n) })
		}
		for _, st := range starts {
			if taken[st.bpmnProcessID] {
				continue
			}
			taken[st.bpmnProcessID] = true
			def, err := c.Definition(st.definitionKey)
			if err != nil {
				return err
			}
			instanceKey := c.NewKey()
			in, err := runtime.Start(c, def, runtime.StartRequest{Key: instanceKey, StartElementIDs: []string{st.elementID}, TriggerVariables: vars})
			if err != nil {
				return err
			}
			c.addInstance(in, true)
			if buffered {
				c.queue(`INSERT INTO message_correlation (message_key, bpmn_process_id, process_instance_key) VALUES ($1, $2, $3)`,
					key, st.bpmnProcessID, instanceKey)
			}
			c.afterCommit = append(c.afterCommit, s.metrics.MessagesCorrelated.Inc)
		}
		c.afterCommit = append(c.afterCommit, s.metrics.MessagesPublished.Inc)
		return nil
	})
	return key, err
}

// BufferedMessage is a message waiting in the buffer (read API).
type BufferedMessage struct {
	Key            int64           `json:"messageKey,string"`
	Name           string          `json:"name"`
	CorrelationKey string          `json:"correlationKey"`
	MessageID      string          `json:"messageId"`
	Variables      json.RawMessage `json:"variables"`
	PublishedAt    time.Time       `json:"publishedAt"`
	ExpiresAt      time.Time       `json:"expiresAt"`
}

// BufferedMessages lists unexpired buffered messages, filtered by name and correlation key when set.
func (s *Store) BufferedMessages(ctx context.Context, name, correlationKey string) ([]BufferedMessage, error) {
	rows, err := s.pool.Query(ctx, `SELECT key, name, correlation_key, message_id, variables, published_at, expires_at
		FROM message WHERE ($1 = '' OR name = $1) AND ($2 = '' OR correlation_key = $2) AND expires_at > $3
		ORDER BY key LIMIT 1000`, name, correlationKey, s.clock.Now())
	if err != nil {
		return nil, err
	}
	out := []BufferedMessage{}
	for rows.Next() {
		var m BufferedMessage
		if err := rows.Scan(&m.Key, &m.Name, &m.CorrelationKey, &m.MessageID, &m.Variables, &m.PublishedAt, &m.ExpiresAt); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

type signalPayload struct {
	Subscription runtime.SignalSubscription `json:"subscription"`
	Variables    runtime.Vars               `json:"variables"`
}

// BroadcastSignal triggers every signal subscription with the name: start events create
// instances here; waiting instances get a pending signal command.
func (s *Store) BroadcastSignal(ctx context.Context, name, variables string) (int64, error) {
	if name == "" {
		return 0, invalid("Expected to broadcast a signal with a name, but the name is empty")
	}
	vars, err := parseVars("the signal variables", variables)
	if err != nil {
		return 0, err
	}
	var key int64
	err = s.newInstanceCommand(ctx, "broadcast_signal", func(c *command) error {
		key = c.NewKey()
		type row struct {
			sub           runtime.SignalSubscription
			definitionKey int64
		}
		var subs []row
		b := &pgx.Batch{}
		b.Queue(`SELECT key, process_instance_key, element_instance_key, element_id, definition_key FROM signal_subscription
			WHERE signal_name = $1 ORDER BY key`, name).Query(func(rows pgx.Rows) error {
			for rows.Next() {
				r := row{sub: runtime.SignalSubscription{SignalName: name}}
				if err := rows.Scan(&r.sub.Key, &r.sub.ProcessInstanceKey, &r.sub.ElementInstanceKey, &r.sub.ElementID, &r.definitionKey); err != nil {
					return err
				}
				subs = append(subs, r)
			}
			return rows.Err()
		})
		if err := c.send(b); err != nil {
			return err
		}
		for _, r := range subs {
			if r.sub.ProcessInstanceKey != 0 {
				c.addPending(r.sub.ProcessInstanceKey, pendingSignal, signalPayload{Subscription: r.sub, Variables: vars})
				continue
			}
			def, err := c.Definition(r.definitionKey)
			if err != nil {
				return err
			}
			in, err := runtime.Start(c, def, runtime.StartRequest{Key: c.NewKey(), Variables: vars, StartElementIDs: []string{r.sub.ElementID}})
			if err != nil {
				return err
			}
			c.addInstance(in, true)
		}
		return c.err
	})
	return key, err
}
