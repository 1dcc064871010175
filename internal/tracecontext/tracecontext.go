// Package tracecontext carries a W3C traceparent (https://www.w3.org/TR/trace-context/) from the
// request that caused a change to the events that change records, so a Kafka consumer can join the
// caller's trace. It is best effort: a malformed header is ignored, never refused.
package tracecontext

import "context"

// Header is the HTTP header, and the Kafka header, that carries the trace context.
const Header = "traceparent"

type key struct{}

// With returns ctx carrying traceparent.
func With(ctx context.Context, traceparent string) context.Context {
	return context.WithValue(ctx, key{}, traceparent)
}

// From returns the traceparent ctx carries, or "".
func From(ctx context.Context) string {
	v, _ := ctx.Value(key{}).(string)
	return v
}

// Parse returns v when it is a version-00 traceparent: "00-" 32 hex trace id "-" 16 hex parent id
// "-" 2 hex flags, lower case, neither id all zeros.
func Parse(v string) (string, bool) {
	if len(v) != 55 || v[:3] != "00-" || v[35] != '-' || v[52] != '-' {
		return "", false
	}
	traceID, parentID, flags := v[3:35], v[36:52], v[53:]
	if !hex(traceID) || !hex(parentID) || !hex(flags) || zeros(traceID) || zeros(parentID) {
		return "", false
	}
	return v, true
}

func hex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func zeros(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] != '0' {
			return false
		}
	}
	return true
}
