package reconcile

import (
	"fmt"
	"time"
)

// Config tunes what a pass looks at and how long things may take before they count as divergent.
type Config struct {
	// TenantID limits passes to one tenant's data and findings; empty means every tenant.
	TenantID string
	// Interval is the pause between two passes of Run.
	Interval time.Duration
	// Grace is how long a start, an order's end, a fallout case or a timer may take to show up
	// before its absence is a finding; it covers the relays' latency.
	Grace time.Duration
	// OutboxMaxAge is how long a committed event may wait for the outbox relay.
	OutboxMaxAge time.Duration
	// Lookback bounds how far back ended orders are checked for instances still running.
	Lookback time.Duration
}

// Defaults used by the reconciler binary and fleetctl reconcile.
const (
	DefaultInterval     = time.Minute
	DefaultGrace        = 5 * time.Minute
	DefaultOutboxMaxAge = 5 * time.Minute
	DefaultLookback     = 7 * 24 * time.Hour
)

func (c *Config) setDefaults() {
	if c.Interval <= 0 {
		c.Interval = DefaultInterval
	}
	if c.Grace < 0 {
		c.Grace = 0
	}
	if c.OutboxMaxAge <= 0 {
		c.OutboxMaxAge = DefaultOutboxMaxAge
	}
	if c.Lookback <= 0 {
		c.Lookback = DefaultLookback
	}
}

// Validate rejects settings that would make every pass meaningless.
func (c Config) Validate() error {
	if c.Lookback > 0 && c.Lookback <= c.Grace {
		return fmt.Errorf("lookback %s must be longer than grace %s, or no ended order is ever checked", c.Lookback, c.Grace)
	}
	return nil
}

// millis passes a duration to SQL as whole milliseconds: `$n * interval '1 millisecond'`.
func millis(d time.Duration) int64 { return d.Milliseconds() }
