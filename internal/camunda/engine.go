package camunda

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Jobs uses the 8.6 REST v2 job routes, for what the v8.3 gRPC client cannot do.
type Jobs struct{ session *Session }

// NewJobs returns the REST v2 job client over a logged-in session.
func NewJobs(s *Session) *Jobs { return &Jobs{session: s} }

// ExtendTimeout sets a new timeout on an activated job, counted from now, so long work is not
// handed to another worker while it is still running.
func (j *Jobs) ExtendTimeout(ctx context.Context, jobKey int64, timeout time.Duration) error {
	body := map[string]any{"changeset": map[string]any{"timeout": timeout.Milliseconds()}}
	return j.session.Do(ctx, http.MethodPatch, fmt.Sprintf("/v2/jobs/%d", jobKey), body, nil)
}

// Clock moves the engine's clock through the management actuator. It works only on a broker
// started with ZEEBE_CLOCK_CONTROLLED=true, which the local stack does, so timer tests need no real wait.
type Clock struct {
	baseURL string
	http    *http.Client
}

// NewClock returns a clock client for the management base URL (port 9600 by default).
func NewClock(managementURL string) *Clock {
	return &Clock{baseURL: strings.TrimRight(managementURL, "/"), http: &http.Client{Timeout: 10 * time.Second}}
}

// Now reads the engine's current time.
func (c *Clock) Now(ctx context.Context) (time.Time, error) {
	var out struct {
		EpochMilli int64 `json:"epochMilli"`
	}
	if err := c.call(ctx, http.MethodGet, "/actuator/clock", nil, &out); err != nil {
		return time.Time{}, err
	}
	return time.UnixMilli(out.EpochMilli), nil
}

// Add moves engine time forward by d; due timers fire on the next scheduling pass.
func (c *Clock) Add(ctx context.Context, d time.Duration) error {
	return c.call(ctx, http.MethodPost, "/actuator/clock/add", map[string]int64{"offsetMilli": d.Milliseconds()}, nil)
}

// Reset returns the engine to the system clock.
func (c *Clock) Reset(ctx context.Context) error {
	return c.call(ctx, http.MethodDelete, "/actuator/clock", nil, nil)
}

func (c *Clock) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("engine clock %s: %w", path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode/100 != 2 {
		return &StatusError{Method: method, Path: path, Status: resp.StatusCode, Body: string(data)}
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}
