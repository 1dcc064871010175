// Package config reads a binary's settings from flags and ORDERFLEET_* environment variables,
// with defaults, validation, and a --help that lists every setting with its variable and default.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// ErrHelp tells the caller that help was printed and the binary should exit successfully.
var ErrHelp = flag.ErrHelp

// Set collects the settings of one binary. Flags win over the environment, the environment over defaults.
type Set struct {
	fs       *flag.FlagSet
	about    string
	settings []setting
	envErrs  []error
}

type setting struct {
	flagName, env, def, usage string
	secret                    bool
	current                   func() string
}

// New starts a settings set for the named binary; about is the first paragraph of --help.
func New(binary, about string) *Set {
	fs := flag.NewFlagSet(binary, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &Set{fs: fs, about: about}
}

// register records a setting and returns its starting text: the environment's value if set, else the default.
func (s *Set) register(flagName, env, def, usage string, secret bool, current func() string) string {
	s.settings = append(s.settings, setting{flagName, env, def, usage, secret, current})
	if v, ok := os.LookupEnv(env); ok {
		return v
	}
	return def
}

// String registers a text setting.
func (s *Set) String(p *string, flagName, env, def, usage string) {
	*p = s.register(flagName, env, def, usage, false, func() string { return *p })
	s.fs.StringVar(p, flagName, *p, usage)
}

// Secret registers a text setting that is masked wherever the configuration is printed.
func (s *Set) Secret(p *string, flagName, env, def, usage string) {
	*p = s.register(flagName, env, def, usage, true, func() string { return *p })
	s.fs.StringVar(p, flagName, *p, usage)
}

// Int registers a whole-number setting.
func (s *Set) Int(p *int, flagName, env string, def int, usage string) {
	s.value(&intValue{p}, flagName, env, strconv.Itoa(def), usage)
}

// Duration registers a Go duration setting such as 30s or 5m.
func (s *Set) Duration(p *time.Duration, flagName, env string, def time.Duration, usage string) {
	s.value(&durationValue{p}, flagName, env, def.String(), usage)
}

// List registers a comma-separated setting.
func (s *Set) List(p *[]string, flagName, env, def, usage string) {
	s.value(&listValue{p}, flagName, env, def, usage)
}

func (s *Set) value(v flag.Value, flagName, env, def, usage string) {
	raw := s.register(flagName, env, def, usage, false, v.String)
	if err := v.Set(raw); err != nil {
		s.envErrs = append(s.envErrs, fmt.Errorf("%s=%q: %w", env, raw, err))
	}
	s.fs.Var(v, flagName, usage)
}

// Parse applies the flags over the environment. After printing help for -h/--help it returns ErrHelp.
func (s *Set) Parse(args []string, out io.Writer) error {
	if err := s.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			s.PrintHelp(out)
			return ErrHelp
		}
		return fmt.Errorf("%w (see --help)", err)
	}
	if s.fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (see --help)", s.fs.Arg(0))
	}
	return errors.Join(s.envErrs...)
}

// PrintHelp writes the about text and two lines per setting: the flag with its meaning, then its variable and default.
func (s *Set) PrintHelp(out io.Writer) {
	fmt.Fprintf(out, "%s\n\nUsage: %s [flags]\n\nEvery flag can also be set through its environment variable.\n\n", s.about, s.fs.Name())
	for _, st := range s.settings {
		def := st.def
		switch {
		case def == "":
			def = `(empty)`
		case st.secret:
			def = Mask(def)
		}
		fmt.Fprintf(out, "  --%s\n        %s\n        env %s, default %s\n", st.flagName, st.usage, st.env, def)
	}
}

// Summary lists the effective settings as flag=value pairs for the start-up log, secrets masked.
func (s *Set) Summary() []string {
	out := make([]string, 0, len(s.settings))
	for _, st := range s.settings {
		v := st.current()
		if st.secret {
			v = Mask(v)
		}
		out = append(out, st.flagName+"="+v)
	}
	return out
}

type intValue struct{ p *int }

func (v *intValue) String() string {
	if v.p == nil {
		return "0"
	}
	return strconv.Itoa(*v.p)
}
func (v *intValue) Set(s string) error {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("not a whole number")
	}
	*v.p = n
	return nil
}

type durationValue struct{ p *time.Duration }

func (v *durationValue) String() string {
	if v.p == nil {
		return "0s"
	}
	return v.p.String()
}
func (v *durationValue) Set(s string) error {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return fmt.Errorf("not a duration like 30s or 5m")
	}
	*v.p = d
	return nil
}

type listValue struct{ p *[]string }

func (v *listValue) String() string {
	if v.p == nil {
		return ""
	}
	return strings.Join(*v.p, ",")
}
func (v *listValue) Set(s string) error {
	var items []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			items = append(items, part)
		}
	}
	*v.p = items
	return nil
}
