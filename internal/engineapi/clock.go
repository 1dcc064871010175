package engineapi

import (
	"context"
	"net/http"
	"time"
)

// Clock moves the engine's clock through the management port. It works only on an engine started
// with --clock-controlled (the local stack does), so timer tests need no real wait.
type Clock struct{ c *Client }

// NewClock returns a clock client for the management base URL (port 9600 by default).
func NewClock(managementURL string) *Clock { return &Clock{c: New(managementURL, nil)} }

// Now reads the engine's current time.
func (k *Clock) Now(ctx context.Context) (time.Time, error) {
	var out struct {
		EpochMilli int64 `json:"epochMilli"`
	}
	if err := k.c.do(ctx, http.MethodGet, "/actuator/clock", nil, &out); err != nil {
		return time.Time{}, err
	}
	return time.UnixMilli(out.EpochMilli), nil
}

// Add moves engine time forward by d; due timers fire on the next scheduling pass.
func (k *Clock) Add(ctx context.Context, d time.Duration) error {
	return k.c.do(ctx, http.MethodPost, "/actuator/clock/add", map[string]int64{"offsetMilli": d.Milliseconds()}, nil)
}

// Reset returns the engine to the system clock.
func (k *Clock) Reset(ctx context.Context) error {
	return k.c.do(ctx, http.MethodDelete, "/actuator/clock", nil, nil)
}
