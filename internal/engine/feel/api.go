// Package feel evaluates the FEEL subset Camunda 8 users write in BPMN: conditions, mappings,
// collections, correlation keys, timers. Values are plain Go: nil, bool, string, Number,
// []any (list), map[string]any (context), and the temporal types of this package.
package feel

import "time"

// Context is what an expression sees while it is evaluated.
type Context struct {
	// Lookup resolves a top-level variable name; ok is false when the variable does not exist.
	// Values are in this package's representation (see FromJSON).
	Lookup func(name string) (value any, ok bool)
	// Now is the engine clock, used by now() and today().
	Now time.Time
}

// SCAFFOLD: the FEEL helper replaces everything below with the real parser and evaluator,
// keeping these signatures.

// Expression is a parsed FEEL expression, safe for concurrent evaluation.
type Expression struct{ src string }

// Parse parses src, the expression text without its leading "=". A syntax error names the
// position and what was expected.
func Parse(src string) (*Expression, error) { return &Expression{src: src}, nil }

// Eval evaluates the expression. A runtime failure (a non-boolean in "and", a function called
// with the wrong arguments) is an error; where FEEL says the result is null, it is nil.
func (e *Expression) Eval(ctx Context) (any, error) { return nil, nil }

// String is the source text.
func (e *Expression) String() string { return e.src }
