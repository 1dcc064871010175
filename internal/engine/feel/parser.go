package feel

import (
	"fmt"
	"strings"
)

// reserved words cannot be variable names (a `backtick` name can).
var reserved = map[string]bool{
	"if": true, "then": true, "else": true, "for": true, "in": true, "return": true,
	"some": true, "every": true, "satisfies": true, "and": true, "or": true, "between": true,
	"true": true, "false": true, "null": true, "function": true, "instance": true, "of": true,
}

type parser struct {
	src  string
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) peekAt(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) isPunct(s string) bool {
	t := p.peek()
	return t.kind == tokPunct && t.text == s
}

func (p *parser) isKeyword(s string) bool {
	t := p.peek()
	return t.kind == tokName && !t.quoted && t.text == s
}

func (p *parser) errExpected(what string) error {
	t := p.peek()
	return syntaxError(p.src, t.pos, fmt.Sprintf("expected %s but found %s", what, t.describe()))
}

func (p *parser) expectPunct(s string) error {
	if !p.isPunct(s) {
		return p.errExpected(fmt.Sprintf("%q", s))
	}
	p.next()
	return nil
}

func (p *parser) expectKeyword(s string) error {
	if !p.isKeyword(s) {
		return p.errExpected(fmt.Sprintf("%q", s))
	}
	p.next()
	return nil
}

// parseLeftAssoc reads one left-associative precedence level: operand (op operand)*, where
// isOp says whether the cursor stands on one of the level's operators and build makes its node.
func (p *parser) parseLeftAssoc(operand func() (node, error), isOp func() bool, build func(op token, l, r node) node) (node, error) {
	l, err := operand()
	if err != nil {
		return nil, err
	}
	for isOp() {
		op := p.next()
		r, err := operand()
		if err != nil {
			return nil, err
		}
		l = build(op, l, r)
	}
	return l, nil
}

// parseExpr is a whole expression: disjunction and everything below it.
func (p *parser) parseExpr() (node, error) {
	return p.parseLeftAssoc(p.parseAnd, func() bool { return p.isKeyword("or") },
		func(_ token, l, r node) node { return &orNode{l: l, r: r} })
}

func (p *parser) parseAnd() (node, error) {
	return p.parseLeftAssoc(p.parseComparison, func() bool { return p.isKeyword("and") },
		func(_ token, l, r node) node { return &andNode{l: l, r: r} })
}

func (p *parser) parseComparison() (node, error) {
	l, err := p.parseAdditive()
	if err != nil {
		return nil, err
	}
	t := p.peek()
	switch {
	case t.kind == tokPunct && (t.text == "=" || t.text == "!=" || t.text == "<" || t.text == "<=" || t.text == ">" || t.text == ">="):
		p.next()
		r, err := p.parseAdditive()
		if err != nil {
			return nil, err
		}
		return &compareNode{op: t.text, l: l, r: r}, nil
	case p.isKeyword("between"):
		p.next()
		lo, err := p.parseAdditive()
		if err != nil {
			return nil, err
		}
		if err := p.expectKeyword("and"); err != nil {
			return nil, err
		}
		hi, err := p.parseAdditive()
		if err != nil {
			return nil, err
		}
		return &betweenNode{x: l, lo: lo, hi: hi}, nil
	case p.isKeyword("in"):
		p.next()
		tests, err := p.parseInTests()
		if err != nil {
			return nil, err
		}
		return &inNode{x: l, tests: tests}, nil
	}
	return l, nil
}

// parseInTests reads the right side of "in": one test, or "(t1, t2, ...)".
func (p *parser) parseInTests() ([]node, error) {
	if p.isPunct("(") && p.hasTopLevelComma() {
		p.next()
		var tests []node
		for {
			t, err := p.parseTest()
			if err != nil {
				return nil, err
			}
			tests = append(tests, t)
			if p.isPunct(",") {
				p.next()
				continue
			}
			if err := p.expectPunct(")"); err != nil {
				return nil, err
			}
			return tests, nil
		}
	}
	t, err := p.parseTest()
	if err != nil {
		return nil, err
	}
	return []node{t}, nil
}

// hasTopLevelComma says whether the parenthesis at the cursor holds a comma at its own depth.
func (p *parser) hasTopLevelComma() bool {
	depth := 0
	for k := p.i; k < len(p.toks); k++ {
		t := p.toks[k]
		if t.kind != tokPunct {
			continue
		}
		switch t.text {
		case "(", "[", "{":
			depth++
		case ")", "]", "}":
			depth--
			if depth == 0 {
				return false
			}
		case ",":
			if depth == 1 {
				return true
			}
		}
	}
	return false
}

// parseTest is one positive unary test: "< 5", a range "1..5", or a value.
func (p *parser) parseTest() (node, error) {
	t := p.peek()
	if t.kind == tokPunct && (t.text == "<" || t.text == "<=" || t.text == ">" || t.text == ">=" || t.text == "=" || t.text == "!=") {
		p.next()
		x, err := p.parseAdditive()
		if err != nil {
			return nil, err
		}
		return &unaryTestNode{op: t.text, x: x}, nil
	}
	x, err := p.parseAdditive()
	if err != nil {
		return nil, err
	}
	return p.parseClosedRangeFrom(x)
}

// parseClosedRangeFrom reads "..hi" after lo into the range [lo..hi]; with no ".." it is lo itself.
func (p *parser) parseClosedRangeFrom(lo node) (node, error) {
	if !p.isPunct("..") {
		return lo, nil
	}
	p.next()
	hi, err := p.parseAdditive()
	if err != nil {
		return nil, err
	}
	return &rangeNode{lo: lo, hi: hi, loIncl: true, hiIncl: true}, nil
}

func (p *parser) parseAdditive() (node, error) {
	return p.parseLeftAssoc(p.parseMultiplicative, func() bool { return p.isPunct("+") || p.isPunct("-") }, arithByToken)
}

func (p *parser) parseMultiplicative() (node, error) {
	return p.parseLeftAssoc(p.parsePower, func() bool { return p.isPunct("*") || p.isPunct("/") }, arithByToken)
}

func (p *parser) parsePower() (node, error) {
	return p.parseLeftAssoc(p.parseUnary, func() bool { return p.isPunct("**") },
		func(_ token, l, r node) node { return &arithNode{op: '^', l: l, r: r} })
}

// arithByToken builds the arithmetic node of a one-character operator (+ - * /).
func arithByToken(op token, l, r node) node { return &arithNode{op: op.text[0], l: l, r: r} }

func (p *parser) parseUnary() (node, error) {
	if p.isPunct("-") {
		p.next()
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		if lit, ok := x.(*literalNode); ok {
			if n, ok := lit.v.(Number); ok {
				return &literalNode{v: n.Neg()}, nil
			}
		}
		return &negNode{x: x}, nil
	}
	return p.parsePostfix()
}

func (p *parser) parsePostfix() (node, error) {
	x, err := p.parsePrimary()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.isPunct("."):
			p.next()
			t := p.peek()
			if t.kind != tokName {
				return nil, p.errExpected("a name after \".\"")
			}
			p.next()
			x = &pathNode{base: x, key: t.text}
		case p.isPunct("["):
			p.next()
			f, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			if err := p.expectPunct("]"); err != nil {
				return nil, err
			}
			x = newFilterNode(x, f)
		default:
			return x, nil
		}
	}
}

func (p *parser) parsePrimary() (node, error) {
	t := p.peek()
	switch t.kind {
	case tokNumber:
		p.next()
		n, err := NumberFromString(t.text)
		if err != nil {
			return nil, syntaxError(p.src, t.pos, err.Error())
		}
		return &literalNode{v: n}, nil
	case tokString:
		p.next()
		return &literalNode{v: t.text}, nil
	case tokTemporal:
		p.next()
		v, err := parseTemporalLiteral(t.text)
		if err != nil {
			return nil, syntaxError(p.src, t.pos, err.Error())
		}
		return &literalNode{v: v}, nil
	case tokPunct:
		switch t.text {
		case "(":
			return p.parseParenOrRange()
		case "[":
			return p.parseListOrRange()
		case "]":
			p.next()
			return p.parseRangeRest(false)
		case "{":
			return p.parseContext()
		}
	case tokName:
		if !t.quoted {
			switch t.text {
			case "true", "false":
				p.next()
				return &literalNode{v: t.text == "true"}, nil
			case "null":
				p.next()
				return &literalNode{v: nil}, nil
			case "if":
				return p.parseIf()
			case "for":
				return p.parseFor()
			case "some", "every":
				return p.parseQuantified()
			case "function":
				return nil, syntaxError(p.src, t.pos, "function definitions are not supported")
			}
			if name, words := p.builtinAhead(); words > 0 {
				for range words {
					p.next()
				}
				return p.parseCall(name, t.pos)
			}
			if reserved[t.text] {
				return nil, p.errExpected("an expression")
			}
		}
		p.next()
		if p.isPunct("(") {
			return p.parseCall(t.text, t.pos)
		}
		return &nameNode{name: t.text}, nil
	}
	return nil, p.errExpected("an expression")
}

// builtinAhead finds the longest built-in name made of the next words that is followed by "("
// ("upper case(", "date and time("); words is 0 when there is none of two words or more.
func (p *parser) builtinAhead() (string, int) {
	for n := maxBuiltinWords; n >= 2; n-- {
		if p.i+n >= len(p.toks) {
			continue
		}
		words := make([]string, 0, n)
		ok := true
		for k := 0; k < n; k++ {
			t := p.toks[p.i+k]
			if t.kind != tokName || t.quoted {
				ok = false
				break
			}
			words = append(words, t.text)
		}
		after := p.toks[p.i+n]
		if !ok || after.kind != tokPunct || after.text != "(" {
			continue
		}
		name := strings.Join(words, " ")
		if _, found := builtins[name]; found {
			return name, n
		}
	}
	return "", 0
}

func (p *parser) parseCall(name string, pos int) (node, error) {
	if err := p.expectPunct("("); err != nil {
		return nil, err
	}
	var args []node
	if !p.isPunct(")") {
		for {
			if p.peek().kind == tokName && p.peekAt(1).kind == tokPunct && p.peekAt(1).text == ":" {
				return nil, syntaxError(p.src, p.peek().pos, "named arguments are not supported")
			}
			a, err := p.parseExpr()
			if err != nil {
				return nil, err
			}
			args = append(args, a)
			if p.isPunct(",") {
				p.next()
				continue
			}
			break
		}
	}
	if err := p.expectPunct(")"); err != nil {
		return nil, err
	}
	fn := builtins[name]
	return &callNode{name: name, fn: fn, args: args, pos: pos}, nil
}

// parseParenOrRange reads "(expr)" or a range opening with "(" (start excluded).
func (p *parser) parseParenOrRange() (node, error) {
	p.next()
	x, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if p.isPunct("..") {
		return p.parseRangeAfterStart(x, false)
	}
	if err := p.expectPunct(")"); err != nil {
		return nil, err
	}
	return x, nil
}

// parseListOrRange reads "[a, b]" or a range opening with "[" (start included).
func (p *parser) parseListOrRange() (node, error) {
	p.next()
	if p.isPunct("]") {
		p.next()
		return &listNode{}, nil
	}
	first, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	if p.isPunct("..") {
		return p.parseRangeAfterStart(first, true)
	}
	items := []node{first}
	for p.isPunct(",") {
		p.next()
		x, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		items = append(items, x)
	}
	if err := p.expectPunct("]"); err != nil {
		return nil, err
	}
	return &listNode{items: items}, nil
}

// parseRangeRest reads "start..end" and the closing bracket after an opening "]".
func (p *parser) parseRangeRest(loIncl bool) (node, error) {
	lo, err := p.parseAdditive()
	if err != nil {
		return nil, err
	}
	if !p.isPunct("..") {
		return nil, p.errExpected(`".."`)
	}
	return p.parseRangeAfterStart(lo, loIncl)
}

func (p *parser) parseRangeAfterStart(lo node, loIncl bool) (node, error) {
	if err := p.expectPunct(".."); err != nil {
		return nil, err
	}
	hi, err := p.parseAdditive()
	if err != nil {
		return nil, err
	}
	switch {
	case p.isPunct("]"):
		p.next()
		return &rangeNode{lo: lo, hi: hi, loIncl: loIncl, hiIncl: true}, nil
	case p.isPunct(")"), p.isPunct("["):
		p.next()
		return &rangeNode{lo: lo, hi: hi, loIncl: loIncl, hiIncl: false}, nil
	}
	return nil, p.errExpected(`"]" or ")"`)
}

func (p *parser) parseContext() (node, error) {
	p.next()
	c := &contextNode{}
	if p.isPunct("}") {
		p.next()
		return c, nil
	}
	for {
		var key string
		switch t := p.peek(); t.kind {
		case tokString:
			key = t.text
			p.next()
		case tokName:
			words := []string{t.text}
			p.next()
			for p.peek().kind == tokName {
				words = append(words, p.next().text)
			}
			key = strings.Join(words, " ")
		default:
			return nil, p.errExpected("a context key")
		}
		if err := p.expectPunct(":"); err != nil {
			return nil, err
		}
		v, err := p.parseExpr()
		if err != nil {
			return nil, err
		}
		c.keys = append(c.keys, key)
		c.values = append(c.values, v)
		if p.isPunct(",") {
			p.next()
			continue
		}
		if err := p.expectPunct("}"); err != nil {
			return nil, err
		}
		return c, nil
	}
}

func (p *parser) parseIf() (node, error) {
	p.next()
	cond, err := p.parseExpr()
	if err != nil {
		return nil, err
	}
	then, err := p.parseKeywordThenExpr("then")
	if err != nil {
		return nil, err
	}
	els, err := p.parseKeywordThenExpr("else")
	if err != nil {
		return nil, err
	}
	return &ifNode{cond: cond, then: then, els: els}, nil
}

// parseKeywordThenExpr reads a keyword that must come next and the expression after it.
func (p *parser) parseKeywordThenExpr(keyword string) (node, error) {
	if err := p.expectKeyword(keyword); err != nil {
		return nil, err
	}
	return p.parseExpr()
}

// parseIterations reads "x in xs, y in 1..3" up to the keyword that ends it.
func (p *parser) parseIterations() ([]iteration, error) {
	var its []iteration
	for {
		t := p.peek()
		if t.kind != tokName || (!t.quoted && reserved[t.text]) {
			return nil, p.errExpected("a variable name")
		}
		p.next()
		if err := p.expectKeyword("in"); err != nil {
			return nil, err
		}
		lo, err := p.parseAdditive()
		if err != nil {
			return nil, err
		}
		domain, err := p.parseClosedRangeFrom(lo)
		if err != nil {
			return nil, err
		}
		its = append(its, iteration{name: t.text, domain: domain})
		if !p.isPunct(",") {
			return its, nil
		}
		p.next()
	}
}

func (p *parser) parseFor() (node, error) {
	p.next()
	its, err := p.parseIterations()
	if err != nil {
		return nil, err
	}
	body, err := p.parseKeywordThenExpr("return")
	if err != nil {
		return nil, err
	}
	return &forNode{its: its, body: body}, nil
}

func (p *parser) parseQuantified() (node, error) {
	every := p.next().text == "every"
	its, err := p.parseIterations()
	if err != nil {
		return nil, err
	}
	cond, err := p.parseKeywordThenExpr("satisfies")
	if err != nil {
		return nil, err
	}
	return &quantifiedNode{every: every, its: its, cond: cond}, nil
}
