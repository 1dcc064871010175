package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/orderfleet/orderfleet/internal/engine/runtime"
)

// ActivateRequest is one activation round (long polling is the gateway's).
type ActivateRequest struct {
	Type           string
	Worker         string
	Timeout        time.Duration
	Max            int32
	FetchVariables []string
}

// ActivatedJob is a job handed to a worker.
type ActivatedJob struct {
	Key                int64
	Type               string
	ProcessInstanceKey int64
	BPMNProcessID      string
	Version            int32
	DefinitionKey      int64
	ElementID          string
	ElementInstanceKey int64
	CustomHeaders      string
	Worker             string
	Retries            int32
	Deadline           int64 // epoch millis
	Variables          string
}

// activateSQL leases up to $3 activatable jobs of a type in one statement, skipping rows other
// activations hold, and reads each job's instance document for its variables.
const activateSQL = `WITH picked AS (
	SELECT key FROM job
	WHERE type = $1 AND state = 'ACTIVATABLE' AND (retry_at IS NULL OR retry_at <= $2)
	ORDER BY key LIMIT $3 FOR UPDATE SKIP LOCKED
), leased AS (
	UPDATE job j SET state = 'ACTIVATED', worker = $4, deadline = $5, retry_at = NULL
	FROM picked WHERE j.key = picked.key
	RETURNING j.key, j.retries, j.custom_headers, j.process_instance_key, j.element_instance_key,
		j.element_id, j.bpmn_process_id, j.version, j.definition_key
)
SELECT l.key, l.retries, l.custom_headers, l.process_instance_key, l.element_instance_key, l.element_id,
	l.bpmn_process_id, l.version, l.definition_key, p.doc
FROM leased l JOIN process_instance p ON p.key = l.process_instance_key
ORDER BY l.key`

// ActivateJobs leases activatable jobs of one type.
func (s *Store) ActivateJobs(ctx context.Context, req ActivateRequest) ([]ActivatedJob, error) {
	start := time.Now()
	now := s.clock.Now()
	deadline := now.Add(req.Timeout)
	rows, err := s.pool.Query(ctx, activateSQL, req.Type, now, req.Max, req.Worker, deadline)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var jobs []ActivatedJob
	docs := map[int64]*runtime.Instance{}
	for rows.Next() {
		var (
			j       ActivatedJob
			headers []byte
			doc     []byte
		)
		if err := rows.Scan(&j.Key, &j.Retries, &headers, &j.ProcessInstanceKey, &j.ElementInstanceKey, &j.ElementID,
			&j.BPMNProcessID, &j.Version, &j.DefinitionKey, &doc); err != nil {
			return nil, err
		}
		in, ok := docs[j.ProcessInstanceKey]
		if !ok {
			in = &runtime.Instance{}
			if err := json.Unmarshal(doc, in); err != nil {
				return nil, err
			}
			docs[j.ProcessInstanceKey] = in
		}
		j.Type, j.Worker, j.Deadline, j.CustomHeaders = req.Type, req.Worker, deadline.UnixMilli(), string(headers)
		j.Variables = filterVars(in.VisibleVariables(j.ElementInstanceKey, req.FetchVariables), nil)
		jobs = append(jobs, j)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(jobs) > 0 {
		s.metrics.JobsActivated.WithLabelValues(req.Type).Add(float64(len(jobs)))
		s.metrics.CommandLatency.WithLabelValues("activate_jobs").Observe(time.Since(start).Seconds())
	}
	return jobs, nil
}

// lockedJob is a job row read under the instance lock.
type lockedJob struct {
	found bool
	state string
	job   runtime.Job
}

const selectJobSQL = `SELECT state, type, retries, custom_headers, process_instance_key, element_instance_key,
	element_id, bpmn_process_id, version, definition_key FROM job WHERE key = $1 FOR UPDATE`

func (lj *lockedJob) queue(b *pgx.Batch, key int64) {
	b.Queue(selectJobSQL, key).QueryRow(func(row pgx.Row) error {
		j := &lj.job
		j.Key = key
		err := row.Scan(&lj.state, &j.Type, &j.Retries, &j.CustomHeaders, &j.ProcessInstanceKey, &j.ElementInstanceKey,
			&j.ElementID, &j.BPMNProcessID, &j.ProcessVersion, &j.DefinitionKey)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		lj.found = err == nil
		return err
	})
}

// usable reports whether a worker may still complete, fail or throw on the job.
func (lj *lockedJob) check(verb string) error {
	key := lj.job.Key
	if !lj.found || lj.state == "COMPLETED" || lj.state == "CANCELED" || lj.state == "ERROR_THROWN" {
		return notFound("Expected to %s job with key '%d', but no such job was found", verb, key)
	}
	if lj.state == "FAILED" {
		return precondition("Expected to %s job with key '%d', but it is in state 'FAILED'", verb, key)
	}
	return nil
}

// jobCommand locks a job's instance and the job row, then runs fn.
func (s *Store) jobCommand(ctx context.Context, name, verb string, key int64, fn func(c *command, in *runtime.Instance, lj *lockedJob) error) error {
	lj := &lockedJob{}
	err := s.instanceCommand(ctx, name, lockJobInstanceSQL, key, func(b *pgx.Batch) { lj.queue(b, key) },
		func(c *command, in *runtime.Instance) error {
			if err := lj.check(verb); err != nil {
				return err
			}
			return fn(c, in, lj)
		})
	if errors.Is(err, errInstanceMissing) {
		return notFound("Expected to %s job with key '%d', but no such job was found", verb, key)
	}
	return err
}

func (c *command) jobRecord(j runtime.Job, intent string, detail any) {
	var raw json.RawMessage
	if detail != nil {
		raw, _ = json.Marshal(detail)
	}
	c.journal = append(c.journal, runtime.Record{ValueType: "JOB", Intent: intent, Key: j.Key,
		ProcessInstanceKey: j.ProcessInstanceKey, ElementID: j.ElementID, FlowScopeKey: j.ElementInstanceKey, Detail: raw})
}

// CompleteJob completes a job with variables and runs the instance on.
func (s *Store) CompleteJob(ctx context.Context, key int64, variables string) error {
	vars, err := parseVars("the job variables", variables)
	if err != nil {
		return err
	}
	var jobType string
	err = s.jobCommand(ctx, "complete_job", "complete", key, func(c *command, in *runtime.Instance, lj *lockedJob) error {
		jobType = lj.job.Type
		c.queue(`UPDATE job SET state = 'COMPLETED' WHERE key = $1`, key)
		c.jobRecord(lj.job, "COMPLETED", nil)
		return in.CompleteJob(c, lj.job, vars)
	})
	if err == nil {
		s.metrics.JobsCompleted.WithLabelValues(jobType).Inc()
	}
	return err
}

// FailJobRequest is FailJob's input.
type FailJobRequest struct {
	Key          int64
	Retries      int32
	ErrorMessage string
	RetryBackOff time.Duration
	Variables    string
}

// FailJob gives a job back with fewer retries; at zero retries it raises a JOB_NO_RETRIES incident.
func (s *Store) FailJob(ctx context.Context, req FailJobRequest) error {
	vars, err := parseVars("the job variables", req.Variables)
	if err != nil {
		return err
	}
	var jobType string
	err = s.jobCommand(ctx, "fail_job", "fail", req.Key, func(c *command, in *runtime.Instance, lj *lockedJob) error {
		j := lj.job
		jobType = j.Type
		if len(vars) > 0 {
			if err := in.SetJobVariables(c, j, vars); err != nil {
				return err
			}
		}
		c.jobRecord(j, "FAILED", map[string]any{"retries": req.Retries, "errorMessage": req.ErrorMessage})
		if req.Retries > 0 {
			var retryAt *time.Time
			if req.RetryBackOff > 0 {
				t := c.now.Add(req.RetryBackOff)
				retryAt = &t
				c.timerWake = true
			} else {
				c.jobTypes[j.Type] = true
			}
			c.queue(`UPDATE job SET state = 'ACTIVATABLE', retries = $2, error_message = $3, retry_at = $4,
				worker = '', deadline = NULL WHERE key = $1`, j.Key, req.Retries, req.ErrorMessage, retryAt)
			return nil
		}
		c.queue(`UPDATE job SET state = 'FAILED', retries = 0, error_message = $2, worker = '', deadline = NULL WHERE key = $1`,
			j.Key, req.ErrorMessage)
		msg := req.ErrorMessage
		if msg == "" {
			msg = "No more retries left."
		}
		c.CreateIncident(runtime.Incident{Key: c.NewKey(), Type: runtime.IncidentJobNoRetries, Message: msg,
			ProcessInstanceKey: j.ProcessInstanceKey, ElementInstanceKey: j.ElementInstanceKey, ElementID: j.ElementID,
			BPMNProcessID: j.BPMNProcessID, DefinitionKey: j.DefinitionKey, JobKey: j.Key})
		return nil
	})
	if err == nil {
		s.metrics.JobsFailed.WithLabelValues(jobType).Inc()
	}
	return err
}

// ThrowError throws a BPMN error from a job.
func (s *Store) ThrowError(ctx context.Context, key int64, code, message, variables string) error {
	vars, err := parseVars("the error variables", variables)
	if err != nil {
		return err
	}
	if code == "" {
		return invalid("Expected to throw an error for job with key '%d', but no error code was given", key)
	}
	return s.jobCommand(ctx, "throw_error", "throw an error for", key, func(c *command, in *runtime.Instance, lj *lockedJob) error {
		c.queue(`UPDATE job SET state = 'ERROR_THROWN', error_message = $2, worker = '', deadline = NULL WHERE key = $1`, key, message)
		c.jobRecord(lj.job, "ERROR_THROWN", map[string]any{"errorCode": code, "errorMessage": message})
		return in.ThrowError(c, lj.job, code, message, vars)
	})
}

// UpdateJobRetries sets a job's retries (an incident stays until it is resolved).
func (s *Store) UpdateJobRetries(ctx context.Context, key int64, retries int32) error {
	if retries < 1 {
		return invalid("Expected to update job retries with a positive number of retries, but was %d", retries)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE job SET retries = $2 WHERE key = $1 AND state IN ('ACTIVATABLE', 'ACTIVATED', 'FAILED', 'ERROR_THROWN')`, key, retries)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return notFound("Expected to update retries for job with key '%d', but no such job was found", key)
	}
	return nil
}

// UpdateJobTimeout moves an activated job's deadline to now + timeout.
func (s *Store) UpdateJobTimeout(ctx context.Context, key int64, timeout time.Duration) error {
	if timeout <= 0 {
		return invalid("Expected to update job timeout with a positive timeout, but was %d ms", timeout.Milliseconds())
	}
	var state string
	err := s.pool.QueryRow(ctx, `WITH u AS (UPDATE job SET deadline = $2 WHERE key = $1 AND state = 'ACTIVATED' RETURNING state)
		SELECT coalesce((SELECT state FROM u), (SELECT state FROM job WHERE key = $1), '')`, key, s.clock.Now().Add(timeout)).Scan(&state)
	if err != nil {
		return err
	}
	switch state {
	case "ACTIVATED":
		return nil
	case "", "COMPLETED", "CANCELED":
		return notFound("Expected to update the timeout of job with key '%d', but no such job was found", key)
	}
	return precondition("Expected to update the timeout of job with key '%d', but it is in state '%s', not ACTIVATED", key, state)
}

// ResolveIncident resolves an incident. A job incident makes its job activatable again when the
// job has retries left (update them first otherwise); an element incident retries its step.
func (s *Store) ResolveIncident(ctx context.Context, key int64) error {
	var (
		instanceKey, jobKey int64
		state               string
	)
	missing := notFound("Expected to resolve incident with key '%d', but no such incident was found", key)
	err := s.pool.QueryRow(ctx, `SELECT process_instance_key, job_key, state FROM incident WHERE key = $1`, key).Scan(&instanceKey, &jobKey, &state)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && state != "ACTIVE" {
		return missing
	}
	if err != nil {
		return err
	}
	var stillActive bool
	lj := &lockedJob{}
	err = s.instanceCommand(ctx, "resolve_incident", lockInstanceSQL, instanceKey, func(b *pgx.Batch) {
		b.Queue(`SELECT state = 'ACTIVE' FROM incident WHERE key = $1 FOR UPDATE`, key).QueryRow(func(row pgx.Row) error {
			return row.Scan(&stillActive)
		})
		if jobKey != 0 {
			lj.queue(b, jobKey)
		}
	}, func(c *command, in *runtime.Instance) error {
		if !stillActive {
			return missing
		}
		if jobKey == 0 {
			if err := in.ResolveIncident(c, key); err != nil {
				return err
			}
			c.ResolveIncident(key)
			return nil
		}
		if lj.found && (lj.state == "FAILED" || lj.state == "ERROR_THROWN") {
			if lj.job.Retries <= 0 {
				return precondition("Expected to resolve incident with key '%d', but job with key '%d' has no retries left; update its retries first", key, jobKey)
			}
			c.queue(`UPDATE job SET state = 'ACTIVATABLE', retry_at = NULL WHERE key = $1`, jobKey)
			c.jobTypes[lj.job.Type] = true
		}
		c.ResolveIncident(key)
		return nil
	})
	if errors.Is(err, errInstanceMissing) {
		return missing
	}
	return err
}
