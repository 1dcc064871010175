package feel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// FromJSON reads a JSON document as a FEEL value: numbers exact (Number), objects as
// map[string]any, arrays as []any.
func FromJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("feel: invalid JSON: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("feel: invalid JSON: more than one value")
	}
	return fromDecoded(v)
}

func fromDecoded(v any) (any, error) {
	switch x := v.(type) {
	case json.Number:
		return NumberFromString(string(x))
	case []any:
		for i, e := range x {
			c, err := fromDecoded(e)
			if err != nil {
				return nil, err
			}
			x[i] = c
		}
		return x, nil
	case map[string]any:
		for k, e := range x {
			c, err := fromDecoded(e)
			if err != nil {
				return nil, err
			}
			x[k] = c
		}
		return x, nil
	}
	return v, nil
}

// ToJSON writes a FEEL value as JSON: a Number with its exact digits, temporal values as their
// ISO-8601 text ("2024-01-02T10:00:00Z", "PT1H", "P1Y2M", "2024-01-02"), context keys sorted.
func ToJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := writeJSON(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func writeJSON(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case string:
		writeJSONString(b, x)
	case Number:
		b.WriteString(x.String())
	case int, int64, int32, float64, json.Number:
		return writeJSON(b, normalize(v))
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJSON(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			if err := writeJSON(b, x[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case Date, Time, DateTime, DaysDuration, YearsMonthsDuration:
		writeJSONString(b, x.(fmt.Stringer).String())
	default:
		return fmt.Errorf("feel: %s cannot be written as JSON", typeName(v))
	}
	return nil
}

// writeJSONString quotes s as JSON without HTML escaping ("<" stays "<", as Zeebe writes it).
func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	b.Truncate(b.Len() - 1) // Encode appends a newline
}
