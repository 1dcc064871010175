package runtime

import (
	"encoding/json"
	"fmt"

	"github.com/orderfleet/orderfleet/internal/engine/feel"
)

// fromJSON turns a variable's JSON into a FEEL value (numbers exact).
func fromJSON(raw json.RawMessage) (any, error) { return feel.FromJSON(raw) }

// toJSON turns a FEEL value into a variable's JSON.
func toJSON(v any) (json.RawMessage, error) { return feel.ToJSON(v) }

// numberText is the canonical text of a FEEL number, ok false for anything else.
func numberText(v any) (string, bool) {
	if n, ok := v.(feel.Number); ok {
		return n.String(), true
	}
	return "", false
}

// feelInt is an integer as a FEEL number.
func feelInt(n int) any { return feel.NumberFromInt(int64(n)) }

// typeName names a value's type for incident messages, as Zeebe does.
func typeName(v any) string {
	switch v.(type) {
	case nil:
		return "NULL"
	case bool:
		return "BOOLEAN"
	case string:
		return "STRING"
	case feel.Number:
		return "NUMBER"
	case []any:
		return "ARRAY"
	case map[string]any:
		return "OBJECT"
	}
	return fmt.Sprintf("%T", v)
}
