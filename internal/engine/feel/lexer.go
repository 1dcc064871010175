package feel

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokenKind uint8

const (
	tokEOF      tokenKind = iota
	tokNumber             // 12, 1.5
	tokString             // "text", escapes resolved
	tokTemporal           // @"2024-01-02", the text between the quotes
	tokName               // a name or a keyword (if, and, true, ...)
	tokPunct              // an operator or bracket
)

type token struct {
	kind tokenKind
	text string // for tokString and tokTemporal: the decoded value
	pos  int    // byte offset in the source
	// quoted is true for a `backtick` name, which is never a keyword.
	quoted bool
}

// describe is how an error message names the token.
func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of input"
	case tokString:
		return "string " + strconv.Quote(t.text)
	case tokTemporal:
		return "@" + strconv.Quote(t.text)
	}
	return strconv.Quote(t.text)
}

// punctuation, longest first so "**" wins over "*".
var punctuation = []string{"..", "**", "!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "/",
	"(", ")", "[", "]", "{", "}", ",", ".", ":"}

// lex splits src into tokens, ending with tokEOF.
func lex(src string) ([]token, error) {
	toks := make([]token, 0, len(src)/3+1)
	i := 0
	for {
		for i < len(src) {
			r, size := utf8.DecodeRuneInString(src[i:])
			if unicode.IsSpace(r) {
				i += size
				continue
			}
			if strings.HasPrefix(src[i:], "//") {
				end := strings.IndexByte(src[i:], '\n')
				if end < 0 {
					i = len(src)
				} else {
					i += end + 1
				}
				continue
			}
			if strings.HasPrefix(src[i:], "/*") {
				end := strings.Index(src[i+2:], "*/")
				if end < 0 {
					return nil, syntaxError(src, i, "unterminated comment")
				}
				i += end + 4
				continue
			}
			break
		}
		if i >= len(src) {
			return append(toks, token{kind: tokEOF, pos: len(src)}), nil
		}
		c := src[i]
		start := i
		switch {
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && isDigit(src[i+1]) && !afterValue(toks):
			for i < len(src) && isDigit(src[i]) {
				i++
			}
			if i+1 < len(src) && src[i] == '.' && isDigit(src[i+1]) {
				i++
				for i < len(src) && isDigit(src[i]) {
					i++
				}
			}
			toks = append(toks, token{kind: tokNumber, text: src[start:i], pos: start})
		case c == '"':
			s, end, err := lexString(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tokString, text: s, pos: start})
			i = end
		case c == '@' && i+1 < len(src) && src[i+1] == '"':
			s, end, err := lexString(src, i+1)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tokTemporal, text: s, pos: start})
			i = end
		case c == '`':
			end := strings.IndexByte(src[i+1:], '`')
			if end < 0 {
				return nil, syntaxError(src, i, "unterminated `name`")
			}
			toks = append(toks, token{kind: tokName, text: src[i+1 : i+1+end], pos: start, quoted: true})
			i += end + 2
		default:
			r, size := utf8.DecodeRuneInString(src[i:])
			if isNameStart(r) {
				i += size
				for i < len(src) {
					r, size = utf8.DecodeRuneInString(src[i:])
					if !isNamePart(r) {
						break
					}
					i += size
				}
				toks = append(toks, token{kind: tokName, text: src[start:i], pos: start})
				continue
			}
			matched := false
			for _, p := range punctuation {
				if strings.HasPrefix(src[i:], p) {
					toks = append(toks, token{kind: tokPunct, text: p, pos: start})
					i += len(p)
					matched = true
					break
				}
			}
			if !matched {
				return nil, syntaxError(src, i, fmt.Sprintf("unexpected character %q", r))
			}
		}
	}
}

// afterValue says whether the last token ends a value, so a following "." is a path, not ".5".
func afterValue(toks []token) bool {
	if len(toks) == 0 {
		return false
	}
	t := toks[len(toks)-1]
	return t.kind == tokName || t.kind == tokNumber || t.kind == tokString ||
		t.kind == tokPunct && (t.text == ")" || t.text == "]" || t.text == "}")
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isNameStart(r rune) bool { return r == '_' || r == '$' || r == '?' || unicode.IsLetter(r) }

func isNamePart(r rune) bool { return isNameStart(r) || unicode.IsDigit(r) }

// lexString reads the string literal opening at src[i] == '"'; it returns the decoded text and
// the offset after the closing quote.
func lexString(src string, i int) (string, int, error) {
	var b strings.Builder
	j := i + 1
	for j < len(src) {
		c := src[j]
		switch c {
		case '"':
			return b.String(), j + 1, nil
		case '\\':
			if j+1 >= len(src) {
				return "", 0, syntaxError(src, j, "unterminated string")
			}
			e := src[j+1]
			j += 2
			switch e {
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case '"', '\\', '\'', '/':
				b.WriteByte(e)
			case 'u':
				if j+4 > len(src) {
					return "", 0, syntaxError(src, j-2, `invalid \u escape`)
				}
				v, err := strconv.ParseUint(src[j:j+4], 16, 32)
				if err != nil {
					return "", 0, syntaxError(src, j-2, `invalid \u escape`)
				}
				j += 4
				r := rune(v)
				// A surrogate pair written as two \u escapes is one character.
				if r >= 0xD800 && r < 0xDC00 && j+6 <= len(src) && src[j] == '\\' && src[j+1] == 'u' {
					if lo, err := strconv.ParseUint(src[j+2:j+6], 16, 32); err == nil && lo >= 0xDC00 && lo < 0xE000 {
						r = (r-0xD800)<<10 + (rune(lo) - 0xDC00) + 0x10000
						j += 6
					}
				}
				b.WriteRune(r)
			default:
				return "", 0, syntaxError(src, j-2, fmt.Sprintf(`invalid escape "\%c"`, e))
			}
		default:
			b.WriteByte(c)
			j++
		}
	}
	return "", 0, syntaxError(src, i, "unterminated string")
}

// SyntaxError is a parse failure: where in the source, and what was wrong.
type SyntaxError struct {
	Source  string
	Pos     int // byte offset, 0-based
	Message string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("feel: at %d: %s in %q", e.Pos, e.Message, e.Source)
}

func syntaxError(src string, pos int, msg string) error {
	return &SyntaxError{Source: src, Pos: pos, Message: msg}
}
