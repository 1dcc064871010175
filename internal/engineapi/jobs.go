package engineapi

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Jobs uses the REST v2 job route, for what the v8.3 gRPC client cannot do.
type Jobs struct{ c *Client }

// NewJobs returns the REST v2 job client over the engine's HTTP port.
func NewJobs(c *Client) *Jobs { return &Jobs{c: c} }

// ExtendTimeout sets a new timeout on an activated job, counted from now, so long work is not
// handed to another worker while it is still running.
func (j *Jobs) ExtendTimeout(ctx context.Context, jobKey int64, timeout time.Duration) error {
	body := map[string]any{"changeset": map[string]any{"timeout": timeout.Milliseconds()}}
	return j.c.do(ctx, http.MethodPatch, fmt.Sprintf("/v2/jobs/%d", jobKey), body, nil)
}
