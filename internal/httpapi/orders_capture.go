package httpapi

import (
	"fmt"
	"net/http"

	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/omsapi"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

type captureRequest struct {
	CustomerID       string        `json:"customerId"`
	CompletionPolicy string        `json:"completionPolicy"`
	Items            []captureItem `json:"items"`
}

type captureItem struct {
	LineNo               int               `json:"lineNo"`
	ProductCode          string            `json:"productCode"`
	Action               string            `json:"action"`
	Quantity             int               `json:"quantity"`
	TargetAssetID        string            `json:"targetAssetId"`
	ExpectedAssetVersion int64             `json:"expectedAssetVersion"`
	ParentLineNo         int               `json:"parentLineNo"`
	ParentAssetID        string            `json:"parentAssetId"`
	Location             string            `json:"location"`
	Attributes           map[string]string `json:"attributes"`
}

// check reports every shape problem; the domain and the catalog then judge
// what the order means (known products, assets, parents).
func (req captureRequest) check() error {
	var check fieldCheck
	check.require("customerId", req.CustomerID)
	if req.CompletionPolicy != "" {
		check.oneOf("completionPolicy", req.CompletionPolicy, names(domain.CompletionPolicies))
	}
	if len(req.Items) == 0 {
		check.add("items", "an order needs at least one item")
	}
	for i, it := range req.Items {
		at := func(f string) string { return fmt.Sprintf("items[%d].%s", i, f) }
		if it.LineNo < 1 {
			check.add(at("lineNo"), "must be 1 or more")
		}
		check.require(at("productCode"), it.ProductCode)
		check.oneOf(at("action"), it.Action, names(domain.ItemActions))
		if it.Quantity < 0 {
			check.add(at("quantity"), "must be 1 or more (0 means 1)")
		}
		if it.TargetAssetID != "" && !domain.IsUUID(it.TargetAssetID) {
			check.add(at("targetAssetId"), "must be a UUID")
		}
		if it.ParentAssetID != "" && !domain.IsUUID(it.ParentAssetID) {
			check.add(at("parentAssetId"), "must be a UUID")
		}
	}
	return check.err()
}

// captureOrder is order capture from an accepted quote: the order is
// validated against the catalog, decomposed into its plan, and stored with
// the plan and the workflow start request in one transaction (seed 001 §6).
// The start relay starts the process later.
func (s *Server) captureOrder(c *call) (txWork, error) {
	var req captureRequest
	if err := c.decodeBody(&req, false); err != nil {
		return nil, err
	}
	if err := req.check(); err != nil {
		return nil, err
	}
	in := domain.NewOrderInput{TenantID: c.tenantID, CustomerID: req.CustomerID, CompletionPolicy: domain.CompletionPolicy(req.CompletionPolicy)}
	for _, it := range req.Items {
		in.Items = append(in.Items, domain.ItemInput{
			LineNo: it.LineNo, ProductCode: it.ProductCode, Action: domain.ItemAction(it.Action), Quantity: it.Quantity,
			TargetAssetID: it.TargetAssetID, ExpectedAssetVersion: it.ExpectedAssetVersion, ParentLineNo: it.ParentLineNo,
			ParentAssetID: it.ParentAssetID, Location: it.Location, Attributes: it.Attributes,
		})
	}
	cause := s.systemCause(c)
	return func(tx *postgres.Tx) (outcome, error) {
		ids := domain.RandomIDs()
		o, err := domain.NewOrder(in, ids, cause)
		if err != nil {
			return outcome{}, err
		}
		plan, start, err := domain.PrepareFulfillment(o, s.catalog, assetsIn(tx), ids, cause)
		if err != nil {
			return outcome{}, err
		}
		tx.AddOrder(o)
		tx.AddPlan(plan)
		tx.AddWorkflowStartRequest(start)
		return outcome{
			status:   http.StatusCreated,
			location: "/api/v1/orders/" + o.ID,
			body: omsapi.Captured{OrderID: o.ID, FulfillmentPlanID: plan.ID, WorkflowStartRequestID: start.ID,
				Status: string(o.Status), TaskCount: len(plan.Tasks)},
		}, nil
	}, nil
}

// assetsIn reads the installed base inside the capture's own transaction,
// so decomposition and the stored order see the same assets.
func assetsIn(tx *postgres.Tx) domain.AssetLookup {
	return domain.AssetLookupFunc(func(tenantID, id string) (domain.Asset, bool, error) {
		rec, err := tx.AssetRecord(tenantID, id)
		if err != nil || rec == nil {
			return domain.Asset{}, false, err
		}
		return rec.Asset, true, nil
	})
}

// systemCause attributes a change to the API itself, for requests that name
// no operator (capture, start).
func (s *Server) systemCause(c *call) domain.Cause {
	return domain.Cause{Actor: domain.Actor{Type: domain.ActorSystem, ID: "oms-api"}, CorrelationID: c.correlationID, At: c.now}
}
