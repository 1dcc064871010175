// Package failpoint lets crash tests stop a binary at a named point, the way a power cut or an
// OOM kill would. Points are armed only through ORDERFLEET_FAILPOINTS, which production never sets.
package failpoint

import (
	"os"
	"strings"
	"syscall"
)

// EnvVar lists the armed points, comma-separated, e.g. "startrelay-after-create".
const EnvVar = "ORDERFLEET_FAILPOINTS"

var armed = parse(os.Getenv(EnvVar))

func parse(v string) map[string]bool {
	points := map[string]bool{}
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			points[p] = true
		}
	}
	return points
}

// Crash kills the current process with SIGKILL if the point is armed: no deferred call, no
// transaction commit and no graceful shutdown runs, exactly like a crash.
func Crash(point string) {
	if armed[point] {
		_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
		select {} // SIGKILL cannot be caught; wait for it to land
	}
}
