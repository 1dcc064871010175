package correlation_test

import (
	"os"
	"testing"

	"github.com/orderfleet/orderfleet/internal/enginetest"
)

// TestMain keeps the stack's engine up for the whole run: the end-to-end engine restart test waits
// until this package is done (see enginetest.RunWithEngineUp).
func TestMain(m *testing.M) { os.Exit(enginetest.RunWithEngineUp(m)) }
