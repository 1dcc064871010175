package restapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// searchRequest is the v2 search body: a filter object and a page.
type searchRequest struct {
	Filter map[string]json.RawMessage `json:"filter"`
	Page   struct {
		From  int `json:"from"`
		Limit int `json:"limit"`
	} `json:"page"`
}

// where builds a parameterized WHERE clause from filter fields.
type where struct {
	conds []string
	args  []any
	err   error
}

func (q *where) add(cond string, v any) {
	q.args = append(q.args, v)
	q.conds = append(q.conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(q.args))))
}

func (q *where) sql() string {
	if len(q.conds) == 0 {
		return "TRUE"
	}
	return strings.Join(q.conds, " AND ")
}

// key reads a key filter as Camunda 8.8 writes it: a key (a JSON string, or a number), or an
// advanced filter {"$eq": key} or {"$in": [key, ...]}.
// filterField is the filter's field name; ok is false when it is absent or null (no condition).
func filterField(f map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	raw, ok := f[name]
	return raw, ok && string(raw) != "null"
}

func (q *where) key(f map[string]json.RawMessage, name, column string) {
	raw, ok := filterField(f, name)
	if !ok {
		return
	}
	var advanced struct {
		Eq json.RawMessage   `json:"$eq"`
		In []json.RawMessage `json:"$in"`
	}
	if len(raw) > 0 && raw[0] == '{' {
		if err := json.Unmarshal(raw, &advanced); err != nil || (advanced.Eq == nil && advanced.In == nil) {
			q.err = fmt.Errorf("filter %s: expected a key, {\"$eq\": key} or {\"$in\": [keys]}, got %s", name, raw)
			return
		}
		if advanced.Eq != nil {
			raw = advanced.Eq
		} else {
			keys := make([]int64, 0, len(advanced.In))
			for _, one := range advanced.In {
				k, err := parseKey(one)
				if err != nil {
					q.err = fmt.Errorf("filter %s: $in: expected keys, got %s", name, one)
					return
				}
				keys = append(keys, k)
			}
			q.add(column+" = ANY(?)", keys)
			return
		}
	}
	k, err := parseKey(raw)
	if err != nil {
		q.err = fmt.Errorf("filter %s: expected a key, got %s", name, raw)
		return
	}
	q.add(column+" = ?", k)
}

// parseKey reads a key written as a JSON string (as 8.8 writes keys) or a JSON number.
func parseKey(raw json.RawMessage) (int64, error) {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		s = string(raw)
	}
	return strconv.ParseInt(s, 10, 64)
}

// jsonValue filters variables by value, written as JSON text the way 8.8 does: "\"abc\"", or
// {"$eq": text} or {"$in": [text, ...]}. Anything else is refused rather than ignored.
func (q *where) jsonValue(raw json.RawMessage) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		q.add("v.value::jsonb = ?::jsonb", one)
		return
	}
	var advanced struct {
		Eq *string  `json:"$eq"`
		In []string `json:"$in"`
	}
	switch {
	case json.Unmarshal(raw, &advanced) != nil || (advanced.Eq == nil && advanced.In == nil):
		q.err = fmt.Errorf("filter value: expected JSON text, {\"$eq\": text} or {\"$in\": [texts]}, got %s", raw)
	case advanced.Eq != nil:
		q.add("v.value::jsonb = ?::jsonb", *advanced.Eq)
	default:
		q.add("v.value::jsonb = ANY(?::jsonb[])", advanced.In)
	}
}

func (q *where) text(f map[string]json.RawMessage, name, column string) {
	equalsFilter[string](q, f, name, column, "a string")
}

func (q *where) number(f map[string]json.RawMessage, name, column string) {
	equalsFilter[int64](q, f, name, column, "a number")
}

func (q *where) boolean(f map[string]json.RawMessage, name, column string) {
	equalsFilter[bool](q, f, name, column, "true or false")
}

// equalsFilter adds "column = value" for a filter field that decodes as a T; expected names a T
// in the error when it does not.
func equalsFilter[T any](q *where, f map[string]json.RawMessage, name, column, expected string) {
	raw, ok := filterField(f, name)
	if !ok {
		return
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		q.err = fmt.Errorf("filter %s: expected %s, got %s", name, expected, raw)
		return
	}
	q.add(column+" = ?", v)
}

func (a *API) readSearch(w http.ResponseWriter, r *http.Request) (*searchRequest, bool) {
	var req searchRequest
	if !decode(w, r, &req) {
		return nil, false
	}
	if req.Filter == nil {
		req.Filter = map[string]json.RawMessage{}
	}
	if req.Page.Limit <= 0 || req.Page.Limit > 10000 {
		req.Page.Limit = 100
	}
	if req.Page.From < 0 {
		req.Page.From = 0
	}
	return &req, true
}

// run executes a search: count(*) of the filtered set and one page of it.
func (a *API) run(w http.ResponseWriter, r *http.Request, req *searchRequest, from string, q *where, order string,
	scan func(row interface{ Scan(...any) error }) (any, error), columns string) {
	if q.err != nil {
		problem(w, http.StatusBadRequest, q.err.Error())
		return
	}
	ctx := r.Context()
	var total int64
	if err := a.Store.Pool().QueryRow(ctx, "SELECT count(*) FROM "+from+" WHERE "+q.sql(), q.args...).Scan(&total); err != nil {
		a.storeProblem(w, err)
		return
	}
	args := append(append([]any{}, q.args...), req.Page.Limit, req.Page.From)
	sql := fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY %s LIMIT $%d OFFSET $%d", columns, from, q.sql(), order, len(q.args)+1, len(q.args)+2)
	rows, err := a.Store.Pool().Query(ctx, sql, args...)
	if err != nil {
		a.storeProblem(w, err)
		return
	}
	defer rows.Close()
	items := []any{}
	for rows.Next() {
		item, err := scan(rows)
		if err != nil {
			a.storeProblem(w, err)
			return
		}
		items = append(items, item)
	}
	if err := rows.Err(); err != nil {
		a.storeProblem(w, err)
		return
	}
	writeJSON(w, 200, map[string]any{"items": items, "page": map[string]any{"totalItems": total}})
}

func keyString(k int64) *string {
	if k == 0 {
		return nil
	}
	s := strconv.FormatInt(k, 10)
	return &s
}

func timeString(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.UTC().Format("2006-01-02T15:04:05.000Z")
	return &s
}

const instanceColumns = `key, bpmn_process_id, definition_key, version, state, has_incident, started_at, ended_at, parent_instance_key`

func scanInstance(row interface{ Scan(...any) error }) (any, error) {
	var (
		key, defKey, parent int64
		id, state           string
		version             int32
		hasIncident         bool
		started             time.Time
		ended               *time.Time
	)
	if err := row.Scan(&key, &id, &defKey, &version, &state, &hasIncident, &started, &ended, &parent); err != nil {
		return nil, err
	}
	return map[string]any{
		"processInstanceKey": keyString(key), "processDefinitionId": id, "processDefinitionKey": keyString(defKey),
		"processDefinitionVersion": version, "state": state, "hasIncident": hasIncident,
		"startDate": timeString(&started), "endDate": timeString(ended), "parentProcessInstanceKey": keyString(parent),
	}, nil
}

func (a *API) searchInstances(w http.ResponseWriter, r *http.Request) {
	req, ok := a.readSearch(w, r)
	if !ok {
		return
	}
	q := &where{}
	f := req.Filter
	q.key(f, "processInstanceKey", "key")
	q.text(f, "processDefinitionId", "bpmn_process_id")
	q.number(f, "processDefinitionVersion", "version")
	q.key(f, "processDefinitionKey", "definition_key")
	q.text(f, "state", "state")
	q.boolean(f, "hasIncident", "has_incident")
	q.key(f, "parentProcessInstanceKey", "parent_instance_key")
	if raw, ok := f["variables"]; ok {
		var vars []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		}
		if err := json.Unmarshal(raw, &vars); err != nil {
			problem(w, http.StatusBadRequest, "filter variables: expected [{name, value}] with value as JSON text")
			return
		}
		for _, v := range vars {
			if !json.Valid([]byte(v.Value)) {
				problem(w, http.StatusBadRequest, fmt.Sprintf("filter variables: the value of %q is not JSON text", v.Name))
				return
			}
			q.add("variables -> ?", v.Name)
			n := len(q.args)
			q.args = append(q.args, v.Value)
			q.conds[len(q.conds)-1] = fmt.Sprintf("variables -> $%d = $%d::jsonb", n, n+1)
		}
	}
	a.run(w, r, req, "process_instance", q, "key", scanInstance, instanceColumns)
}

func (a *API) getInstance(w http.ResponseWriter, r *http.Request) {
	key, err := strconv.ParseInt(r.PathValue("key"), 10, 64)
	if err != nil {
		problem(w, http.StatusBadRequest, "the process instance key must be a number")
		return
	}
	item, err := scanInstance(a.Store.Pool().QueryRow(r.Context(), "SELECT "+instanceColumns+" FROM process_instance WHERE key = $1", key))
	if err != nil {
		problem(w, http.StatusNotFound, fmt.Sprintf("process instance with key %d not found", key))
		return
	}
	writeJSON(w, 200, item)
}

// elementInstances are the element instances as the journal saw them.
const elementInstances = `(SELECT j.key, j.process_instance_key, j.element_id, j.element_type,
	min(j.at) AS start_date,
	max(j.at) FILTER (WHERE j.intent IN ('ELEMENT_COMPLETED', 'ELEMENT_TERMINATED')) AS end_date,
	CASE WHEN bool_or(j.intent = 'ELEMENT_TERMINATED') THEN 'TERMINATED'
	     WHEN bool_or(j.intent = 'ELEMENT_COMPLETED') THEN 'COMPLETED' ELSE 'ACTIVE' END AS state,
	(SELECT i.key FROM incident i WHERE i.element_instance_key = j.key AND i.state = 'ACTIVE' LIMIT 1) AS incident_key
	FROM journal j WHERE j.value_type = 'PROCESS_INSTANCE' AND j.intent LIKE 'ELEMENT_%%' AND j.element_type <> 'PROCESS'
	AND (%s)
	GROUP BY j.key, j.process_instance_key, j.element_id, j.element_type) AS e`

func (a *API) searchElementInstances(w http.ResponseWriter, r *http.Request) {
	req, ok := a.readSearch(w, r)
	if !ok {
		return
	}
	// Filter the journal by instance first (indexed), then the grouped rows.
	inner := &where{}
	inner.key(req.Filter, "processInstanceKey", "j.process_instance_key")
	q := &where{args: inner.args, err: inner.err}
	q.text(req.Filter, "elementId", "e.element_id")
	q.text(req.Filter, "type", "e.element_type")
	q.text(req.Filter, "state", "e.state")
	q.key(req.Filter, "elementInstanceKey", "e.key")
	from := fmt.Sprintf(elementInstances, inner.sql())
	a.run(w, r, req, from, q, "e.key", func(row interface{ Scan(...any) error }) (any, error) {
		var (
			key, pi            int64
			elementID, typ, st string
			start              time.Time
			end                *time.Time
			incident           *int64
		)
		if err := row.Scan(&key, &pi, &elementID, &typ, &start, &end, &st, &incident); err != nil {
			return nil, err
		}
		var incidentKey *string
		if incident != nil {
			incidentKey = keyString(*incident)
		}
		return map[string]any{"elementInstanceKey": keyString(key), "processInstanceKey": keyString(pi), "elementId": elementID,
			"elementName": elementID, "type": typ, "state": st, "hasIncident": incident != nil, "incidentKey": incidentKey,
			"startDate": timeString(&start), "endDate": timeString(end)}, nil
	}, "e.key, e.process_instance_key, e.element_id, e.element_type, e.start_date, e.end_date, e.state, e.incident_key")
}

func (a *API) searchIncidents(w http.ResponseWriter, r *http.Request) {
	req, ok := a.readSearch(w, r)
	if !ok {
		return
	}
	q := &where{}
	q.key(req.Filter, "processInstanceKey", "process_instance_key")
	q.text(req.Filter, "state", "state")
	q.text(req.Filter, "errorType", "type")
	q.key(req.Filter, "incidentKey", "key")
	q.key(req.Filter, "jobKey", "job_key")
	a.run(w, r, req, "incident", q, "key", func(row interface{ Scan(...any) error }) (any, error) {
		var (
			key, pi, ei, job       int64
			typ, msg, id, elem, st string
			created                time.Time
		)
		if err := row.Scan(&key, &typ, &msg, &pi, &ei, &elem, &id, &job, &st, &created); err != nil {
			return nil, err
		}
		return map[string]any{"incidentKey": keyString(key), "processInstanceKey": keyString(pi), "processDefinitionId": id,
			"elementId": elem, "elementInstanceKey": keyString(ei), "errorType": typ, "errorMessage": msg, "state": st,
			"creationTime": timeString(&created), "jobKey": keyString(job)}, nil
	}, "key, type, message, process_instance_key, element_instance_key, element_id, bpmn_process_id, job_key, state, created_at")
}

func (a *API) searchJobs(w http.ResponseWriter, r *http.Request) {
	req, ok := a.readSearch(w, r)
	if !ok {
		return
	}
	q := &where{}
	q.key(req.Filter, "processInstanceKey", "process_instance_key")
	q.text(req.Filter, "type", "type")
	q.text(req.Filter, "state", "state")
	q.key(req.Filter, "jobKey", "key")
	a.run(w, r, req, "job", q, "key", func(row interface{ Scan(...any) error }) (any, error) {
		var (
			key, pi, ei                 int64
			typ, st, worker, elem, errm string
			retries                     int32
			deadline                    *time.Time
		)
		if err := row.Scan(&key, &typ, &st, &retries, &worker, &deadline, &elem, &ei, &pi, &errm); err != nil {
			return nil, err
		}
		return map[string]any{"jobKey": keyString(key), "type": typ, "state": st, "retries": retries, "worker": worker,
			"deadline": timeString(deadline), "elementId": elem, "elementInstanceKey": keyString(ei),
			"processInstanceKey": keyString(pi), "errorMessage": errm}, nil
	}, "key, type, state, retries, worker, deadline, element_id, element_instance_key, process_instance_key, error_message")
}

// variables are the latest value of each variable per scope, from the journal.
const variables = `(SELECT DISTINCT ON (j.key, j.detail->>'name') j.position, j.key AS scope_key, j.process_instance_key,
	j.detail->>'name' AS name, (j.detail->'value')::text AS value
	FROM journal j WHERE j.value_type = 'VARIABLE' AND (%s)
	ORDER BY j.key, j.detail->>'name', j.position DESC) AS v`

func (a *API) searchVariables(w http.ResponseWriter, r *http.Request) {
	req, ok := a.readSearch(w, r)
	if !ok {
		return
	}
	inner := &where{}
	inner.key(req.Filter, "processInstanceKey", "j.process_instance_key")
	inner.key(req.Filter, "scopeKey", "j.key")
	q := &where{args: inner.args, err: inner.err}
	q.text(req.Filter, "name", "v.name")
	if raw, ok := filterField(req.Filter, "value"); ok {
		q.jsonValue(raw)
	}
	from := fmt.Sprintf(variables, inner.sql())
	a.run(w, r, req, from, q, "v.scope_key, v.name", func(row interface{ Scan(...any) error }) (any, error) {
		var (
			pos, scope, pi int64
			name, value    string
		)
		if err := row.Scan(&pos, &scope, &pi, &name, &value); err != nil {
			return nil, err
		}
		return map[string]any{"variableKey": strconv.FormatInt(pos, 10), "name": name, "value": value,
			"processInstanceKey": keyString(pi), "scopeKey": keyString(scope)}, nil
	}, "v.position, v.scope_key, v.process_instance_key, v.name, v.value")
}

func (a *API) history(w http.ResponseWriter, r *http.Request) {
	key, err := strconv.ParseInt(r.PathValue("key"), 10, 64)
	if err != nil {
		problem(w, http.StatusBadRequest, "the process instance key must be a number")
		return
	}
	rows, err := a.Store.Pool().Query(r.Context(), `SELECT position, key, value_type, intent, element_id, element_type,
		flow_scope_key, detail, at FROM journal WHERE process_instance_key = $1 ORDER BY position`, key)
	if err != nil {
		a.storeProblem(w, err)
		return
	}
	defer rows.Close()
	items := []any{}
	for rows.Next() {
		var (
			pos, k, flow            int64
			vt, intent, elem, etype string
			detail                  json.RawMessage
			at                      time.Time
		)
		if err := rows.Scan(&pos, &k, &vt, &intent, &elem, &etype, &flow, &detail, &at); err != nil {
			a.storeProblem(w, err)
			return
		}
		items = append(items, map[string]any{"position": pos, "key": keyString(k), "valueType": vt, "intent": intent,
			"elementId": elem, "elementType": etype, "flowScopeKey": keyString(flow), "detail": detail, "timestamp": timeString(&at)})
	}
	if err := rows.Err(); err != nil {
		a.storeProblem(w, err)
		return
	}
	if len(items) == 0 {
		var exists bool
		_ = a.Store.Pool().QueryRow(r.Context(), `SELECT EXISTS (SELECT 1 FROM process_instance WHERE key = $1)`, key).Scan(&exists)
		if !exists {
			problem(w, http.StatusNotFound, fmt.Sprintf("process instance with key %d not found", key))
			return
		}
	}
	writeJSON(w, 200, map[string]any{"items": items})
}
