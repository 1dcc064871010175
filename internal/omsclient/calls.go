package omsclient

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/orderfleet/orderfleet/internal/omsapi"
)

// CaptureOrder posts an order document (the request body of POST /api/v1/orders) as it is.
func (c *Client) CaptureOrder(ctx context.Context, document []byte, idempotencyKey string) (omsapi.Captured, error) {
	var out omsapi.Captured
	err := c.do(ctx, http.MethodPost, "/api/v1/orders", idempotencyKey, document, &out)
	return out, err
}

// Order reads one order with its items.
func (c *Client) Order(ctx context.Context, orderID string) (omsapi.Order, error) {
	var out omsapi.Order
	err := c.do(ctx, http.MethodGet, orderPath(orderID, ""), "", nil, &out)
	return out, err
}

// Orders lists the tenant's orders, newest first, optionally only those in one status.
func (c *Client) Orders(ctx context.Context, status string, limit int) ([]omsapi.Order, error) {
	q := url.Values{}
	if status != "" {
		q.Set("status", status)
	}
	var p omsapi.Page[omsapi.Order]
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
		err := c.do(ctx, http.MethodGet, "/api/v1/orders?"+q.Encode(), "", nil, &p)
		return p.Items, err
	}
	return all[omsapi.Order](ctx, c, "/api/v1/orders", q)
}

// Tasks lists the tasks of an order's plan in plan order.
func (c *Client) Tasks(ctx context.Context, orderID, status string) ([]omsapi.Task, error) {
	q := url.Values{}
	if status != "" {
		q.Set("status", status)
	}
	return all[omsapi.Task](ctx, c, orderPath(orderID, "/fulfillment-tasks"), q)
}

// Timeline reads an order's whole merged history in time order.
func (c *Client) Timeline(ctx context.Context, orderID string) ([]omsapi.TimelineEntry, error) {
	return all[omsapi.TimelineEntry](ctx, c, orderPath(orderID, "/timeline"), url.Values{})
}

// FalloutCases lists fallout cases, of one order when orderID is set, else of the tenant.
func (c *Client) FalloutCases(ctx context.Context, orderID, status string) ([]omsapi.FalloutCase, error) {
	q := url.Values{}
	if status != "" {
		q.Set("status", status)
	}
	path := "/api/v1/fallout-cases"
	if orderID != "" {
		path = orderPath(orderID, "/fallout-cases")
	}
	return all[omsapi.FalloutCase](ctx, c, path, q)
}

// RepairFallout resolves a case with a repair action (RETRY, SKIP, COMPENSATE, MANUAL_CLOSE, ...).
func (c *Client) RepairFallout(ctx context.Context, orderID, caseID, action string, j Justification, idempotencyKey string) (omsapi.Repair, error) {
	body := struct {
		Action string `json:"action"`
		Justification
	}{action, j}
	var out omsapi.Repair
	err := c.post(ctx, orderPath(orderID, "/fallout-cases/"+url.PathEscape(caseID)+"/repair"), idempotencyKey, body, &out)
	return out, err
}

// Decide records a manual decision (APPROVE, REJECT, ...) on a task waiting for a person.
func (c *Client) Decide(ctx context.Context, orderID, taskID, decision string, j Justification, idempotencyKey string) (omsapi.Decision, error) {
	body := struct {
		Decision string `json:"decision"`
		Justification
	}{decision, j}
	var out omsapi.Decision
	err := c.post(ctx, orderPath(orderID, "/fulfillment-tasks/"+url.PathEscape(taskID)+"/manual-decisions"), idempotencyKey, body, &out)
	return out, err
}

// RetryTask and SkipTask are the operator's RETRY and SKIP decisions on one task.
func (c *Client) RetryTask(ctx context.Context, orderID, taskID string, j Justification, idempotencyKey string) (omsapi.Decision, error) {
	return c.taskDecision(ctx, orderID, taskID, "retry", j, idempotencyKey)
}

func (c *Client) SkipTask(ctx context.Context, orderID, taskID string, j Justification, idempotencyKey string) (omsapi.Decision, error) {
	return c.taskDecision(ctx, orderID, taskID, "skip", j, idempotencyKey)
}

func (c *Client) taskDecision(ctx context.Context, orderID, taskID, verb string, j Justification, idempotencyKey string) (omsapi.Decision, error) {
	var out omsapi.Decision
	err := c.post(ctx, orderPath(orderID, "/fulfillment-tasks/"+url.PathEscape(taskID)+"/"+verb), idempotencyKey, j, &out)
	return out, err
}

// Lifecycle sends cancel, suspend or resume for an order.
func (c *Client) Lifecycle(ctx context.Context, orderID, command string, j Justification, idempotencyKey string) (omsapi.Lifecycle, error) {
	var out omsapi.Lifecycle
	err := c.post(ctx, orderPath(orderID, "/"+command), idempotencyKey, j, &out)
	return out, err
}

// Start asks for the order's process; repeated, it answers the start request and its progress.
func (c *Client) Start(ctx context.Context, orderID string) (omsapi.StartRequest, error) {
	var out omsapi.StartRequest
	// A fresh key each time: a replayed answer would repeat the first, maybe still PENDING, state.
	err := c.post(ctx, orderPath(orderID, "/fulfillment/start"), "", struct{}{}, &out)
	return out, err
}
