// Package feel evaluates the FEEL subset Camunda 8 users write in BPMN: conditions, mappings,
// collections, correlation keys, timers.
//
// Values are plain Go:
//
//	FEEL null               nil
//	boolean                 bool
//	string                  string
//	number                  Number (exact decimal; integers of any size keep every digit)
//	list                    []any
//	context                 map[string]any
//	date                    Date
//	time                    Time
//	date and time           DateTime
//	days-time duration      DaysDuration
//	years-months duration   YearsMonthsDuration
//
// A Context's Lookup should return values in this representation (FromJSON builds it from JSON);
// int, int64, float64 and json.Number are accepted too and read as Number.
//
// Where FEEL defines the result as null (a missing variable or path, comparing a string with a
// number, arithmetic with null) Eval returns nil without error. Real failures (an unknown
// function, a built-in called with the wrong number or kind of arguments, iterating over a
// non-list) are errors. The supported subset is in docs/engine.md.
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

// Expression is a parsed FEEL expression, safe for concurrent evaluation.
type Expression struct {
	src  string
	root node
}

// Parse parses src, the expression text without its leading "=". A syntax error names the
// position and what was expected.
func Parse(src string) (*Expression, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	if p.peek().kind == tokEOF {
		return nil, p.errExpected("an expression")
	}
	root, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tokEOF {
		return nil, p.errExpected("end of input")
	}
	return &Expression{src: src, root: root}, nil
}

// Eval evaluates the expression. A runtime failure (an unknown function, a built-in called with
// the wrong arguments, a non-list to iterate) is an error; where FEEL says the result is null,
// it is nil.
func (e *Expression) Eval(ctx Context) (any, error) { return e.root.eval(&ctx, nil) }

// String is the source text.
func (e *Expression) String() string { return e.src }
