package feel

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

// toText is string(v): the FEEL text of a value.
func toText(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case bool:
		if x {
			return "true"
		}
		return "false"
	case fmt.Stringer:
		return x.String()
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = quotedText(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ":" + quotedText(normalize(x[k]))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}

// quotedText is an element's text inside a list or context: strings in quotes.
func quotedText(v any) string {
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return toText(normalize(v))
}

// regexps caches compiled patterns: the same few patterns run on every evaluation.
var regexps sync.Map

func compilePattern(pattern, flags string) (*regexp.Regexp, error) {
	key := flags + "\x00" + pattern
	if re, ok := regexps.Load(key); ok {
		return re.(*regexp.Regexp), nil
	}
	prefix := ""
	for _, f := range flags {
		switch f {
		case 'i', 'm', 's':
			prefix += string(f)
		case 'x':
			pattern = regexp.MustCompile(`\s+`).ReplaceAllString(pattern, "")
		default:
			return nil, fmt.Errorf("unsupported regular expression flag %q", f)
		}
	}
	if prefix != "" {
		pattern = "(?" + prefix + ")" + pattern
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression %q: %v", pattern, err)
	}
	regexps.Store(key, re)
	return re, nil
}

func registerStringFunctions() {
	register("string", 1, 1, false, func(_ *Context, a []any) (any, error) { return toText(a[0]), nil })
	twoStrings := func(name string, f func(s, t string) any) {
		register(name, 2, 2, false, func(_ *Context, a []any) (any, error) {
			s, err := argString(a, 0)
			if err != nil {
				return nil, err
			}
			t, err := argString(a, 1)
			if err != nil {
				return nil, err
			}
			return f(s, t), nil
		})
	}
	twoStrings("contains", func(s, t string) any { return strings.Contains(s, t) })
	twoStrings("starts with", func(s, t string) any { return strings.HasPrefix(s, t) })
	twoStrings("ends with", func(s, t string) any { return strings.HasSuffix(s, t) })
	twoStrings("substring before", func(s, t string) any {
		before, _, found := strings.Cut(s, t)
		if !found {
			return ""
		}
		return before
	})
	twoStrings("substring after", func(s, t string) any {
		_, after, found := strings.Cut(s, t)
		if !found {
			return ""
		}
		return after
	})
	oneString := func(name string, f func(s string) any) {
		register(name, 1, 1, false, func(_ *Context, a []any) (any, error) {
			s, err := argString(a, 0)
			if err != nil {
				return nil, err
			}
			return f(s), nil
		})
	}
	oneString("upper case", func(s string) any { return strings.ToUpper(s) })
	oneString("lower case", func(s string) any { return strings.ToLower(s) })
	oneString("string length", func(s string) any { return NumberFromInt(int64(utf8.RuneCountInString(s))) })
	oneString("trim", func(s string) any { return strings.TrimSpace(s) })
	oneString("is blank", func(s string) any { return strings.TrimSpace(s) == "" })
	register("substring", 2, 3, false, func(_ *Context, a []any) (any, error) {
		s, err := argString(a, 0)
		if err != nil {
			return nil, err
		}
		start, err := argInt(a, 1)
		if err != nil {
			return nil, err
		}
		runes := []rune(s)
		// 1-based; a negative start counts from the end.
		from := start - 1
		if start < 0 {
			from = len(runes) + start
		}
		from = max(0, min(from, len(runes)))
		to := len(runes)
		if len(a) == 3 {
			length, err := argInt(a, 2)
			if err != nil {
				return nil, err
			}
			to = max(from, min(from+length, len(runes)))
		}
		return string(runes[from:to]), nil
	})
	register("matches", 2, 3, false, func(_ *Context, a []any) (any, error) {
		s, pattern, flags, err := patternArgs(a)
		if err != nil {
			return nil, err
		}
		re, err := compilePattern(pattern, flags)
		if err != nil {
			return nil, err
		}
		return re.MatchString(s), nil
	})
	register("replace", 3, 4, false, func(_ *Context, a []any) (any, error) {
		s, pattern, _, err := patternArgs(a[:2])
		if err != nil {
			return nil, err
		}
		repl, err := argString(a, 2)
		if err != nil {
			return nil, err
		}
		flags := ""
		if len(a) == 4 {
			if flags, err = argString(a, 3); err != nil {
				return nil, err
			}
		}
		re, err := compilePattern(pattern, flags)
		if err != nil {
			return nil, err
		}
		// FEEL (XPath) writes group references as $1; Go wants ${1} to keep "$1x" unambiguous.
		repl = regexp.MustCompile(`\$(\d+)`).ReplaceAllString(repl, `$${$1}`)
		return re.ReplaceAllString(s, repl), nil
	})
	register("split", 2, 2, false, func(_ *Context, a []any) (any, error) {
		return patternStrings(a, func(re *regexp.Regexp, s string) []string { return re.Split(s, -1) })
	})
	register("extract", 2, 2, false, func(_ *Context, a []any) (any, error) {
		return patternStrings(a, func(re *regexp.Regexp, s string) []string { return re.FindAllString(s, -1) })
	})
	register("string join", 1, 4, false, func(_ *Context, a []any) (any, error) {
		list, err := argList(a, 0)
		if err != nil {
			return nil, err
		}
		sep, prefix, suffix := "", "", ""
		for i, dst := range []*string{&sep, &prefix, &suffix} {
			if len(a) > i+1 {
				if *dst, err = argString(a, i+1); err != nil {
					return nil, err
				}
			}
		}
		parts := make([]string, 0, len(list))
		for i, e := range list {
			switch s := e.(type) {
			case nil:
			case string:
				parts = append(parts, s)
			default:
				return nil, fmt.Errorf("element %d must be a string but is %s", i+1, typeName(e))
			}
		}
		return prefix + strings.Join(parts, sep) + suffix, nil
	})
}

func patternArgs(a []any) (s, pattern, flags string, err error) {
	if s, err = argString(a, 0); err != nil {
		return
	}
	if pattern, err = argString(a, 1); err != nil {
		return
	}
	if len(a) > 2 {
		flags, err = argString(a, 2)
	}
	return
}

// patternStrings applies the pattern (argument 1) to the string (argument 0) with find and lists
// the strings it gives.
func patternStrings(a []any, find func(re *regexp.Regexp, s string) []string) (any, error) {
	s, pattern, _, err := patternArgs(a)
	if err != nil {
		return nil, err
	}
	re, err := compilePattern(pattern, "")
	if err != nil {
		return nil, err
	}
	found := find(re, s)
	out := make([]any, len(found))
	for i, f := range found {
		out[i] = f
	}
	return out, nil
}
