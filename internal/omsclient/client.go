// Package omsclient is a typed client of the OMS HTTP API (cmd/oms-api) for fleetctl and the demo.
// It decodes only the fields its callers show; openapi.json stays the whole contract.
package omsclient

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/orderfleet/orderfleet/internal/omsapi"
)

// Client calls one OMS API as one tenant: the bearer token decides the tenant.
type Client struct {
	baseURL string
	token   string
	http    *http.Client
}

// New returns a client of the API at baseURL (e.g. http://127.0.0.1:8090).
func New(baseURL, token string) *Client {
	return &Client{baseURL: strings.TrimRight(baseURL, "/"), token: token, http: &http.Client{Timeout: 30 * time.Second}}
}

// FieldError is one invalid request field named by the API.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a problem+json answer: the stable code is what scripts should branch on.
type Error struct {
	Status int          `json:"status"`
	Code   string       `json:"code"`
	Title  string       `json:"title"`
	Detail string       `json:"detail"`
	Errors []FieldError `json:"errors"`
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (HTTP %d): %s", e.Code, e.Status, e.Detail)
	for _, f := range e.Errors {
		fmt.Fprintf(&b, "\n  %s: %s", f.Field, f.Message)
	}
	return b.String()
}

// NewIdempotencyKey returns a random key for a POST the caller does not retry by hand.
func NewIdempotencyKey() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return "fleetctl-" + hex.EncodeToString(b)
}

// do sends one request. A POST always carries an Idempotency-Key, so a retried call has one effect.
func (c *Client) do(ctx context.Context, method, path, idempotencyKey string, body []byte, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.baseURL+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if method == http.MethodPost {
		if idempotencyKey == "" {
			idempotencyKey = NewIdempotencyKey()
		}
		req.Header.Set("Idempotency-Key", idempotencyKey)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("OMS API %s: %w (is oms-api running? make fleet-up)", c.baseURL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("OMS API %s %s: read answer: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		p := &Error{Status: resp.StatusCode}
		if json.Unmarshal(raw, p) != nil || p.Code == "" {
			p.Code, p.Detail = "HTTP_"+fmt.Sprint(resp.StatusCode), strings.TrimSpace(string(raw))
		}
		return p
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("OMS API %s %s: decode answer: %w", method, path, err)
	}
	return nil
}

func (c *Client) post(ctx context.Context, path, idempotencyKey string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodPost, path, idempotencyKey, body, out)
}

// all follows nextCursor until the list ends, so callers see the whole list.
func all[T any](ctx context.Context, c *Client, path string, query url.Values) ([]T, error) {
	var out []T
	for {
		var p omsapi.Page[T]
		if err := c.do(ctx, http.MethodGet, path+"?"+query.Encode(), "", nil, &p); err != nil {
			return nil, err
		}
		out = append(out, p.Items...)
		if p.NextCursor == "" {
			return out, nil
		}
		query.Set("cursor", p.NextCursor)
	}
}

func orderPath(orderID, suffix string) string {
	return "/api/v1/orders/" + url.PathEscape(orderID) + suffix
}
