package config

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSetPrecedence(t *testing.T) {
	t.Setenv("ORDERFLEET_TEST_NAME", "from-env")
	t.Setenv("ORDERFLEET_TEST_WAIT", "7s")

	var name, other string
	var wait time.Duration
	var n int
	var list []string
	s := New("probe", "probe binary")
	s.String(&name, "name", "ORDERFLEET_TEST_NAME", "default", "a name")
	s.String(&other, "other", "ORDERFLEET_TEST_OTHER", "default-other", "another")
	s.Duration(&wait, "wait", "ORDERFLEET_TEST_WAIT", time.Second, "a wait")
	s.Int(&n, "n", "ORDERFLEET_TEST_N", 3, "a count")
	s.List(&list, "types", "ORDERFLEET_TEST_TYPES", "a, b", "types")

	if err := s.Parse([]string{"--n", "9"}, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	if name != "from-env" || other != "default-other" || wait != 7*time.Second || n != 9 {
		t.Fatalf("got name=%q other=%q wait=%v n=%d", name, other, wait, n)
	}
	if strings.Join(list, "|") != "a|b" {
		t.Fatalf("list = %q", list)
	}
}

func TestSetRejectsBadEnvironment(t *testing.T) {
	t.Setenv("ORDERFLEET_TEST_WAIT", "soon")
	var wait time.Duration
	s := New("probe", "probe binary")
	s.Duration(&wait, "wait", "ORDERFLEET_TEST_WAIT", time.Second, "a wait")
	err := s.Parse(nil, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "ORDERFLEET_TEST_WAIT") {
		t.Fatalf("want an error naming the variable, got %v", err)
	}
}

func TestHelpListsEverySettingAndMasksSecrets(t *testing.T) {
	var dsn string
	s := New("probe", "probe binary does things")
	s.Secret(&dsn, "database-url", "ORDERFLEET_TEST_DSN", "postgres://u:hunter2@db:5432/x", "database")
	var out bytes.Buffer
	if err := s.Parse([]string{"--help"}, &out); !errors.Is(err, ErrHelp) {
		t.Fatalf("want ErrHelp, got %v", err)
	}
	help := out.String()
	for _, want := range []string{"probe binary does things", "--database-url", "ORDERFLEET_TEST_DSN", "db:5432"} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q:\n%s", want, help)
		}
	}
	if strings.Contains(help, "hunter2") {
		t.Errorf("help leaks the password:\n%s", help)
	}
	if got := strings.Join(s.Summary(), " "); strings.Contains(got, "hunter2") {
		t.Errorf("summary leaks the password: %s", got)
	}
}

func TestMask(t *testing.T) {
	cases := map[string]string{
		"":                          "",
		"plain-token":               "*****",
		"postgres://a:b@h:1/db?x=1": "postgres://a:xxxxx@h:1/db?x=1",
		"redis://127.0.0.1:6379/0":  "redis://127.0.0.1:6379/0",
	}
	for in, want := range cases {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}
