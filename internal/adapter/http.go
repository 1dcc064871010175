package adapter

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// HTTPConfig configures the HTTP caller.
type HTTPConfig struct {
	// BaseURL serves every system without its own route, at {BaseURL}/systems/{system} (the adapter
	// simulator's layout).
	BaseURL string
	// Routes maps a system to its own base URL (a real partner gateway).
	Routes map[string]string
	// CallbackBaseURL is the OMS API's base URL, used to fill Request.CallbackURL when it is empty.
	CallbackBaseURL  string
	Timeout          time.Duration // per call, on top of the caller's context
	MaxResponseBytes int64
	Client           *http.Client
}

func (c *HTTPConfig) setDefaults() {
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.MaxResponseBytes <= 0 {
		c.MaxResponseBytes = 1 << 20
	}
	if c.Client == nil {
		c.Client = &http.Client{}
	}
}

// Validate reports unusable URLs.
func (c HTTPConfig) Validate() error {
	check := func(what, raw string) error {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("%s %q is not an http(s) URL", what, raw)
		}
		return nil
	}
	if c.BaseURL == "" && len(c.Routes) == 0 {
		return errors.New("adapter: neither a base URL nor any route is configured")
	}
	if c.BaseURL != "" {
		if err := check("adapter base URL", c.BaseURL); err != nil {
			return err
		}
	}
	for sys, raw := range c.Routes {
		if err := check("route of "+sys, raw); err != nil {
			return err
		}
	}
	if c.CallbackBaseURL != "" {
		return check("callback base URL", c.CallbackBaseURL)
	}
	return nil
}

// HTTPCaller calls partner gateways over HTTP.
type HTTPCaller struct{ cfg HTTPConfig }

// NewHTTPCaller validates the configuration and builds a caller.
func NewHTTPCaller(cfg HTTPConfig) (*HTTPCaller, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &HTTPCaller{cfg: cfg}, nil
}

// Endpoint is the URL a request for system/operation goes to.
func (c *HTTPCaller) Endpoint(system, operation string) (string, bool) {
	base, ok := c.cfg.Routes[system]
	if !ok {
		if c.cfg.BaseURL == "" {
			return "", false
		}
		base = strings.TrimRight(c.cfg.BaseURL, "/") + "/systems/" + url.PathEscape(system)
	}
	return strings.TrimRight(base, "/") + "/operations/" + url.PathEscape(operation), true
}

// Call implements Caller.
func (c *HTTPCaller) Call(ctx context.Context, req Request) (Response, error) {
	fail := func(kind Kind, status int, err error) (Response, error) {
		return Response{}, &CallError{Kind: kind, System: req.ExternalSystem, Operation: req.Operation, StatusCode: status, Err: err}
	}
	if req.IdempotencyKey == "" || req.ExternalSystem == "" || req.Operation == "" {
		return fail(Permanent, 0, errors.New("request needs an external system, an operation and an idempotency key"))
	}
	endpoint, ok := c.Endpoint(req.ExternalSystem, req.Operation)
	if !ok {
		return fail(Permanent, 0, fmt.Errorf("no route configured for system %q", req.ExternalSystem))
	}
	callbackURL := req.CallbackURL
	if callbackURL == "" {
		callbackURL = CallbackURL(c.cfg.CallbackBaseURL, req.ExternalSystem)
	}
	body, err := json.Marshal(WireRequest{TenantID: req.TenantID, OrderID: req.OrderID, TaskID: req.TaskID,
		ExternalSystem: req.ExternalSystem, Operation: req.Operation, Input: req.Input, CallbackURL: callbackURL})
	if err != nil {
		return fail(Permanent, 0, fmt.Errorf("encode request: %w", err))
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return fail(Permanent, 0, err)
	}
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("Accept", "application/json")
	hreq.Header.Set(HeaderIdempotencyKey, req.IdempotencyKey)
	hreq.Header.Set(HeaderTenantID, req.TenantID)
	if req.CorrelationID != "" {
		hreq.Header.Set(HeaderCorrelationID, req.CorrelationID)
	}
	hresp, err := c.cfg.Client.Do(hreq)
	if err != nil {
		// timeout, refused, reset: the effect is unknown, so only a retry under the same key is safe
		return fail(Transient, 0, err)
	}
	defer hresp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(hresp.Body, c.cfg.MaxResponseBytes+1))
	if err != nil {
		return fail(Transient, hresp.StatusCode, fmt.Errorf("read answer: %w", err))
	}
	if int64(len(raw)) > c.cfg.MaxResponseBytes {
		return fail(Permanent, hresp.StatusCode, fmt.Errorf("answer exceeds %d bytes", c.cfg.MaxResponseBytes))
	}
	return c.interpret(req, hresp, raw)
}
