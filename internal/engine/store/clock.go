package store

import (
	"context"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrClockNotControlled is returned when a clock change is asked of an engine started without
// --clock-controlled.
var ErrClockNotControlled = newError(CodeFailedPrecondition, "the engine clock can be changed only when the engine runs with --clock-controlled")

// Clock is the engine clock: the wall clock plus an offset, or a pinned instant. Its state lives
// in engine_clock so every engine process (and a restart) agrees; each process re-reads it on a
// short interval and at once after its own changes.
type Clock struct {
	pool       *pgxpool.Pool
	controlled bool
	onChange   func()

	mu     sync.RWMutex
	offset time.Duration
	pinned *time.Time
}

func newClock(pool *pgxpool.Pool, controlled bool) *Clock {
	return &Clock{pool: pool, controlled: controlled}
}

// Now is the engine's current time, in UTC with millisecond precision like Zeebe's records.
func (c *Clock) Now() time.Time {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.pinned != nil {
		return *c.pinned
	}
	return time.Now().Add(c.offset).UTC().Truncate(time.Millisecond)
}

// Controlled reports whether the clock may be changed.
func (c *Clock) Controlled() bool { return c.controlled }

// Refresh re-reads the persisted clock; it reports whether it changed.
func (c *Clock) Refresh(ctx context.Context) (bool, error) {
	var offsetMs int64
	var pinnedMs *int64
	if err := c.pool.QueryRow(ctx, `SELECT offset_ms, pinned_ms FROM engine_clock WHERE id = 1`).Scan(&offsetMs, &pinnedMs); err != nil {
		return false, err
	}
	return c.set(time.Duration(offsetMs)*time.Millisecond, pinnedMs), nil
}

func (c *Clock) set(offset time.Duration, pinnedMs *int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	var pinned *time.Time
	if pinnedMs != nil {
		t := time.UnixMilli(*pinnedMs).UTC()
		pinned = &t
	}
	changed := offset != c.offset || (pinned == nil) != (c.pinned == nil) || (pinned != nil && !pinned.Equal(*c.pinned))
	c.offset, c.pinned = offset, pinned
	return changed
}

// Add moves the clock forward (or back) by d: a pinned clock stays pinned at the later instant.
func (c *Clock) Add(ctx context.Context, d time.Duration) (time.Time, error) {
	return c.update(ctx, `UPDATE engine_clock SET offset_ms = offset_ms + $1, pinned_ms = pinned_ms + $1 WHERE id = 1`, d.Milliseconds())
}

// Pin stops the clock at t.
func (c *Clock) Pin(ctx context.Context, t time.Time) (time.Time, error) {
	return c.update(ctx, `UPDATE engine_clock SET pinned_ms = $1 WHERE id = 1`, t.UnixMilli())
}

// Reset returns to the wall clock.
func (c *Clock) Reset(ctx context.Context) (time.Time, error) {
	return c.update(ctx, `UPDATE engine_clock SET offset_ms = 0, pinned_ms = NULL WHERE id = 1`)
}

func (c *Clock) update(ctx context.Context, sql string, args ...any) (time.Time, error) {
	if !c.controlled {
		return time.Time{}, ErrClockNotControlled
	}
	if _, err := c.pool.Exec(ctx, sql, args...); err != nil {
		return time.Time{}, err
	}
	if _, err := c.pool.Exec(ctx, `SELECT pg_notify('engine_clock', '')`); err != nil {
		return time.Time{}, err
	}
	if _, err := c.Refresh(ctx); err != nil {
		return time.Time{}, err
	}
	if c.onChange != nil {
		c.onChange()
	}
	return c.Now(), nil
}
