package main

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
)

// Config is the engine's configuration: each flag has an environment variable; a flag given on
// the command line wins over its variable.
type Config struct {
	DatabaseURL         string
	GRPCAddr            string
	HTTPAddr            string
	ManagementAddr      string
	ClockControlled     bool
	MaxCommandsInFlight int
	LogLevel            string
}

type option struct {
	name, env, def, usage string
	set                   func(*Config, string) error
}

var options = []option{
	{"database-url", "ENGINE_DATABASE_URL", "", "PostgreSQL URL of the engine's database (required)",
		func(c *Config, v string) error { c.DatabaseURL = v; return nil }},
	{"grpc-addr", "ENGINE_GRPC_ADDR", "127.0.0.1:26500", "address of the Zeebe gateway gRPC API",
		func(c *Config, v string) error { c.GRPCAddr = v; return nil }},
	{"http-addr", "ENGINE_HTTP_ADDR", "127.0.0.1:8080", "address of the REST v2 routes and read API",
		func(c *Config, v string) error { c.HTTPAddr = v; return nil }},
	{"management-addr", "ENGINE_MANAGEMENT_ADDR", "127.0.0.1:9600", "address of the clock, metrics and health routes",
		func(c *Config, v string) error { c.ManagementAddr = v; return nil }},
	{"clock-controlled", "ENGINE_CLOCK_CONTROLLED", "false", "allow moving the engine clock through the clock routes",
		func(c *Config, v string) (err error) { c.ClockControlled, err = strconv.ParseBool(v); return }},
	{"max-commands-in-flight", "ENGINE_MAX_COMMANDS_IN_FLIGHT", "1000", "commands served at once before RESOURCE_EXHAUSTED (back pressure)",
		func(c *Config, v string) (err error) { c.MaxCommandsInFlight, err = strconv.Atoi(v); return }},
	{"log-level", "ENGINE_LOG_LEVEL", "info", "debug, info, warn or error",
		func(c *Config, v string) error { c.LogLevel = v; return nil }},
}

// ParseConfig reads flags over environment variables over defaults. help is where --help's text
// goes; flag.ErrHelp is returned after it is written.
func ParseConfig(args []string, getenv func(string) string, help io.Writer) (Config, error) {
	var cfg Config
	fs := flag.NewFlagSet("engine", flag.ContinueOnError)
	fs.SetOutput(help)
	given := map[string]*flagValue{}
	for _, o := range options {
		v := &flagValue{isBool: o.def == "false" || o.def == "true"}
		given[o.name] = v
		fs.Var(v, o.name, o.usage)
	}
	fs.Usage = func() {
		fmt.Fprintln(help, "engine: orderfleet's BPMN engine (Zeebe gateway gRPC protocol, PostgreSQL-backed)")
		fmt.Fprintln(help, "\nFlags (each also read from its environment variable):")
		for _, o := range options {
			def := o.def
			if def == "" {
				def = "none"
			}
			fmt.Fprintf(help, "  --%s\n        %s\n        env %s, default %s\n", o.name, o.usage, o.env, def)
		}
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	explicit := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { explicit[f.Name] = true })
	for _, o := range options {
		v := o.def
		if e := getenv(o.env); e != "" {
			v = e
		}
		if explicit[o.name] {
			v = given[o.name].text
		}
		if err := o.set(&cfg, v); err != nil {
			return cfg, fmt.Errorf("--%s (%s): %q: %v", o.name, o.env, v, err)
		}
	}
	if cfg.DatabaseURL == "" {
		return cfg, fmt.Errorf("--database-url (ENGINE_DATABASE_URL) is required")
	}
	if cfg.MaxCommandsInFlight < 1 {
		return cfg, fmt.Errorf("--max-commands-in-flight must be at least 1, got %d", cfg.MaxCommandsInFlight)
	}
	return cfg, nil
}

// maskedURL is the database URL with its password hidden, for logs.
func maskedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// flagValue records a flag's text; bool options accept a bare --name.
type flagValue struct {
	text   string
	isBool bool
}

func (f *flagValue) String() string     { return f.text }
func (f *flagValue) Set(v string) error { f.text = v; return nil }
func (f *flagValue) IsBoolFlag() bool   { return f.isBool }
