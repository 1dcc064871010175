package runtime

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// fromJSON turns a variable's JSON into a FEEL value.
func fromJSON(raw json.RawMessage) (any, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// toJSON turns a FEEL value into a variable's JSON.
func toJSON(v any) (json.RawMessage, error) {
	return json.Marshal(v)
}

// numberText is the canonical text of a FEEL number, ok false for anything else.
func numberText(v any) (string, bool) {
	switch n := v.(type) {
	case json.Number:
		return n.String(), true
	case int:
		return fmt.Sprint(n), true
	case int64:
		return fmt.Sprint(n), true
	}
	return "", false
}

// typeName names a value's FEEL type for incident messages.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "NULL"
	case bool:
		return "BOOLEAN"
	case string:
		return "STRING"
	case []any:
		return "ARRAY"
	case map[string]any:
		return "OBJECT"
	}
	if _, ok := numberText(v); ok {
		return "NUMBER"
	}
	return fmt.Sprintf("%T", v)
}

// feelInt is an integer as a FEEL number.
func feelInt(n int) any { return json.Number(fmt.Sprint(n)) }
