package simulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Client drives a running simulator's admin routes; tests and the demo use it.
type Client struct {
	BaseURL string
	HTTP    *http.Client
}

// NewClient returns a client for the simulator at baseURL (e.g. http://127.0.0.1:9180).
func NewClient(baseURL string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), HTTP: &http.Client{}}
}

// SetScenario sets the global scenario of system+operation ("*" for any).
func (c *Client) SetScenario(ctx context.Context, system, operation string, sc Scenario) error {
	return c.do(ctx, http.MethodPut, "/scenarios/"+seg(system)+"/"+seg(operation), sc, nil)
}

// SetOrderScenario sets the scenario of system+operation for one order only.
func (c *Client) SetOrderScenario(ctx context.Context, orderID, system, operation string, sc Scenario) error {
	return c.do(ctx, http.MethodPut, "/orders/"+seg(orderID)+"/scenarios/"+seg(system)+"/"+seg(operation), sc, nil)
}

// SetTaskScenario sets the scenario of system+operation for one task only.
func (c *Client) SetTaskScenario(ctx context.Context, taskID, system, operation string, sc Scenario) error {
	return c.do(ctx, http.MethodPut, "/tasks/"+seg(taskID)+"/scenarios/"+seg(system)+"/"+seg(operation), sc, nil)
}

// ClearOrder drops an order's scenarios and its ledger entries.
func (c *Client) ClearOrder(ctx context.Context, orderID string) error {
	if err := c.do(ctx, http.MethodDelete, "/orders/"+seg(orderID)+"/scenarios", nil, nil); err != nil {
		return err
	}
	return c.do(ctx, http.MethodDelete, "/ledger?orderId="+url.QueryEscape(orderID), nil, nil)
}

// Reset returns the scenarios to the start-up set (the ledger is kept).
func (c *Client) Reset(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/scenarios/reset", nil, nil)
}

// Scenarios lists the rules in force.
func (c *Client) Scenarios(ctx context.Context) ([]Rule, error) {
	var rules []Rule
	return rules, c.do(ctx, http.MethodGet, "/scenarios", nil, &rules)
}

// Ledger returns the entries matching q, with their total effects.
func (c *Client) Ledger(ctx context.Context, q Query) (LedgerPage, error) {
	v := url.Values{}
	for k, s := range map[string]string{"orderId": q.OrderID, "taskId": q.TaskID, "idempotencyKey": q.IdempotencyKey,
		"system": q.System, "operation": q.Operation} {
		if s != "" {
			v.Set(k, s)
		}
	}
	var page LedgerPage
	return page, c.do(ctx, http.MethodGet, "/ledger?"+v.Encode(), nil, &page)
}

// Deliver (re)sends a key's callback now, req.Times times, and reports the OMS's answers.
func (c *Client) Deliver(ctx context.Context, req DeliverRequest) (DeliverResult, error) {
	var res DeliverResult
	return res, c.do(ctx, http.MethodPost, "/callbacks/deliver", req, &res)
}

func seg(s string) string { return url.PathEscape(s) }

func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("simulator %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("simulator %s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("simulator %s %s: HTTP %d: %s", method, path, resp.StatusCode, strings.TrimSpace(string(raw)))
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(raw, out)
}
