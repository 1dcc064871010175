package restapi

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// Key filters accept what Camunda 8.8 clients send: a key as a string or a number, and the
// advanced forms $eq and $in (the reconciler looks up a pass's instances with one $in search).
func TestKeyFilterForms(t *testing.T) {
	cases := []struct {
		filter   string
		wantSQL  string
		wantArgs []any
		wantErr  string
	}{
		{`"2251799813685249"`, "k = $1", []any{int64(2251799813685249)}, ""},
		{`2251799813685249`, "k = $1", []any{int64(2251799813685249)}, ""},
		{`{"$eq": "7"}`, "k = $1", []any{int64(7)}, ""},
		{`{"$in": ["1", 2]}`, "k = ANY($1)", []any{[]int64{1, 2}}, ""},
		{`{"$in": []}`, "k = ANY($1)", []any{[]int64{}}, ""},
		{`"seven"`, "", nil, "expected a key"},
		{`{"$in": ["x"]}`, "", nil, "$in: expected keys"},
		{`{"$like": "1*"}`, "", nil, `{"$in": [keys]}`},
	}
	for _, c := range cases {
		var q where
		q.key(map[string]json.RawMessage{"processInstanceKey": json.RawMessage(c.filter)}, "processInstanceKey", "k")
		if c.wantErr != "" {
			if q.err == nil || !strings.Contains(q.err.Error(), c.wantErr) {
				t.Errorf("%s: error %v, want one containing %q", c.filter, q.err, c.wantErr)
			}
			continue
		}
		if q.err != nil {
			t.Errorf("%s: %v", c.filter, q.err)
			continue
		}
		if q.sql() != c.wantSQL || !reflect.DeepEqual(q.args, c.wantArgs) {
			t.Errorf("%s: %q %v, want %q %v", c.filter, q.sql(), q.args, c.wantSQL, c.wantArgs)
		}
	}
}

// Variable value filters: one JSON text, $eq, $in; an unknown form is refused, never ignored.
func TestValueFilterForms(t *testing.T) {
	cases := []struct {
		filter, wantSQL string
		wantArgs        []any
		wantErr         bool
	}{
		{`"\"o-1\""`, "v.value::jsonb = $1::jsonb", []any{`"o-1"`}, false},
		{`{"$eq": "\"o-1\""}`, "v.value::jsonb = $1::jsonb", []any{`"o-1"`}, false},
		{`{"$in": ["\"o-1\"", "7"]}`, "v.value::jsonb = ANY($1::jsonb[])", []any{[]string{`"o-1"`, "7"}}, false},
		{`{"$like": "o-*"}`, "", nil, true},
		{`42`, "", nil, true},
	}
	for _, c := range cases {
		var q where
		q.jsonValue(json.RawMessage(c.filter))
		if c.wantErr {
			if q.err == nil {
				t.Errorf("%s: accepted, want an error", c.filter)
			}
			continue
		}
		if q.err != nil || q.sql() != c.wantSQL || !reflect.DeepEqual(q.args, c.wantArgs) {
			t.Errorf("%s: %q %v %v, want %q %v", c.filter, q.sql(), q.args, q.err, c.wantSQL, c.wantArgs)
		}
	}
}
