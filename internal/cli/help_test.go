package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// Every command a user can run shows an example in its --help, and every group lists its commands.
func TestEveryCommandHelpHasAnExample(t *testing.T) {
	var out bytes.Buffer
	root := NewRoot(&out, &out)
	var walk func(c *cobra.Command)
	checked := 0
	walk = func(c *cobra.Command) {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" || strings.HasPrefix(c.CommandPath(), "fleetctl completion") {
			return
		}
		if c.Example == "" {
			t.Errorf("%q has no Example in its help", c.CommandPath())
		}
		checked++
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if checked < 15 {
		t.Fatalf("only %d commands walked; the tree lost commands", checked)
	}
	out.Reset()
	root.SetArgs([]string{"fallout", "repair", "--help"})
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "Examples:") || !strings.Contains(out.String(), "--action") {
		t.Fatalf("fallout repair --help shows no example or flags:\n%s", out.String())
	}
}

// A required flag missing is a clear error before any request is sent.
func TestMissingRequiredFlagIsAClearError(t *testing.T) {
	var out bytes.Buffer
	root := NewRoot(&out, &out)
	root.SetArgs([]string{"--api-url", "http://127.0.0.1:1", "cancel", "0b6f0000-0000-0000-0000-000000000000"})
	err := root.Execute()
	if err == nil || !strings.Contains(err.Error(), "reason-code") {
		t.Fatalf("cancel without --reason-code: %v, want an error naming the flag", err)
	}
}
