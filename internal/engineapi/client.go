// Package engineapi is the fleet's HTTP client of the engine: the read API (process instances,
// element instances, incidents and variables in the request and response shapes of Camunda 8.8's
// REST v2 search routes), the REST v2 job routes the v8.3 gRPC client lacks, and the management
// port's engine clock. It speaks to orderfleet's own engine and, unchanged, to a Camunda 8.8+
// cluster (there with a bearer token from Credentials).
package engineapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Credentials adds an Authorization header to a request. zbc.CredentialsProvider (the Go client's
// OAuth provider) satisfies it, so the REST calls use the same token as the gRPC ones.
type Credentials interface {
	ApplyCredentials(ctx context.Context, headers map[string]string) error
}

// BearerToken is a fixed token, for a Camunda 8 REST API reached with a token issued elsewhere.
type BearerToken string

// ApplyCredentials sets the Authorization header; an empty token sets nothing.
func (t BearerToken) ApplyCredentials(_ context.Context, headers map[string]string) error {
	if t != "" {
		headers["Authorization"] = "Bearer " + string(t)
	}
	return nil
}

// Client calls one engine HTTP endpoint. Safe for concurrent use.
type Client struct {
	baseURL string
	http    *http.Client
	creds   Credentials
}

// New returns a client for baseURL (the engine's HTTP port, 8080 by default). creds may be nil.
func New(baseURL string, creds Credentials) *Client {
	return &Client{baseURL: strings.TrimRight(baseURL, "/"), http: &http.Client{Timeout: 30 * time.Second}, creds: creds}
}

// ErrNotFound is returned when the engine does not know the instance asked for.
var ErrNotFound = errors.New("engine knows no such instance")

// StatusError is a non-2xx answer, kept whole so callers can tell 404 from 409 from 5xx.
type StatusError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.Path, e.Status, e.Body)
}

// do sends a JSON request and decodes a JSON answer into out (out may be nil).
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		payload, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: encode request: %w", method, path, err)
		}
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.creds != nil {
		headers := map[string]string{}
		if err := c.creds.ApplyCredentials(ctx, headers); err != nil {
			return fmt.Errorf("%s %s: credentials: %w", method, path, err)
		}
		for k, v := range headers {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("%s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		return &StatusError{Method: method, Path: path, Status: resp.StatusCode, Body: strings.TrimSpace(string(data))}
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("%s %s: decode answer: %w", method, path, err)
	}
	return nil
}

// isNotFound reports a 404 answer.
func isNotFound(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Status == http.StatusNotFound
}
