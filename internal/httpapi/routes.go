package httpapi

import (
	"encoding/json"
	"net/http"
)

// routes is every operation the API serves besides GET /openapi.json and
// the partner callbacks. Seed 001 §22's internal worker routes
// (/internal/workflows/...) are deliberately absent: the Zeebe job workers
// run those commands against the OMS directly, so an HTTP hop would only add
// a second way in (see the description in openapi.json).
var routes = []route{
	{method: http.MethodPost, path: "/api/v1/orders", command: (*Server).captureOrder},
	{method: http.MethodGet, path: "/api/v1/orders", query: (*Server).listOrders},
	{method: http.MethodGet, path: "/api/v1/orders/{orderId}", query: (*Server).getOrder},
	{method: http.MethodPost, path: "/api/v1/orders/{orderId}/fulfillment/start", command: (*Server).startFulfillment},
	{method: http.MethodGet, path: "/api/v1/orders/{orderId}/fulfillment-plan", query: (*Server).getPlan},
	{method: http.MethodGet, path: "/api/v1/orders/{orderId}/fulfillment-tasks", query: (*Server).listTasks},
	{method: http.MethodGet, path: "/api/v1/orders/{orderId}/timeline", query: (*Server).timeline},
	{method: http.MethodPost, path: "/api/v1/orders/{orderId}/fulfillment-tasks/{taskId}/retry", command: (*Server).retryTask},
	{method: http.MethodPost, path: "/api/v1/orders/{orderId}/fulfillment-tasks/{taskId}/skip", command: (*Server).skipTask},
	{method: http.MethodPost, path: "/api/v1/orders/{orderId}/fulfillment-tasks/{taskId}/manual-decisions", command: (*Server).recordDecision},
	{method: http.MethodGet, path: "/api/v1/fallout-cases", query: (*Server).listFalloutCases},
	{method: http.MethodGet, path: "/api/v1/orders/{orderId}/fallout-cases", query: (*Server).listOrderFalloutCases},
	{method: http.MethodPost, path: "/api/v1/orders/{orderId}/fallout-cases/{falloutCaseId}/repair", command: (*Server).repairFallout},
	{method: http.MethodPost, path: "/api/v1/orders/{orderId}/cancel", command: (*Server).cancelOrder},
	{method: http.MethodPost, path: "/api/v1/orders/{orderId}/suspend", command: (*Server).suspendOrder},
	{method: http.MethodPost, path: "/api/v1/orders/{orderId}/resume", command: (*Server).resumeOrder},
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		writeProblem(w, problemOf(err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
