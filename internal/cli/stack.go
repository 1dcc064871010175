package cli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/spf13/cobra"
)

// findRepoRoot walks up from the working directory to the checkout that holds the stack scripts.
func findRepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "deploy", "local", "stack.sh")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("deploy/local/stack.sh not found above the working directory; run fleetctl inside the orderfleet checkout")
		}
		dir = parent
	}
}

func newStackCmd(opts *Options) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "stack",
		Short: "Start, stop and inspect the local stack (PostgreSQL, Redis, Kafka, the engine)",
		Long: `The local stack runs without Docker, from Debian packages and Maven Central, on loopback ports,
with data and logs under .stack/ in the checkout. 'up' installs what is missing and is safe to repeat.`,
		Example: `  fleetctl stack up
  fleetctl stack up postgres kafka
  fleetctl stack status
  fleetctl stack down`,
	}
	for _, sub := range []struct{ name, short string }{
		{"up", "install what is missing and start every component that is not running"},
		{"down", "stop exactly the processes the stack started (pid files, never by name)"},
		{"status", "show each component: state, pid, port, resident memory and URL"},
	} {
		name := sub.name
		cmd.AddCommand(&cobra.Command{
			Use:     name + " [component...]",
			Short:   sub.short,
			Example: "  fleetctl stack " + name + "\n  fleetctl stack " + name + " postgres kafka",
			RunE: func(c *cobra.Command, args []string) error {
				root, err := findRepoRoot()
				if err != nil {
					return err
				}
				script := exec.CommandContext(c.Context(), "bash", append([]string{filepath.Join(root, "deploy", "local", "stack.sh"), name}, args...)...)
				script.Stdout, script.Stderr = c.OutOrStdout(), c.ErrOrStderr()
				if err := script.Run(); err != nil {
					return fmt.Errorf("stack %s: %w", name, err)
				}
				return nil
			},
		})
	}
	return cmd
}
