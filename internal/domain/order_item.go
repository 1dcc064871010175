package domain

// ItemAction is what an order line does to the customer's installed base.
type ItemAction string

const (
	ActionAdd        ItemAction = "ADD"
	ActionModify     ItemAction = "MODIFY"
	ActionDisconnect ItemAction = "DISCONNECT"
	ActionMove       ItemAction = "MOVE"
)

// ItemActions lists the supported actions.
var ItemActions = []ItemAction{ActionAdd, ActionModify, ActionDisconnect, ActionMove}

// Valid reports whether a is a known action.
func (a ItemAction) Valid() bool {
	switch a {
	case ActionAdd, ActionModify, ActionDisconnect, ActionMove:
		return true
	}
	return false
}

// OrderItem is one order line. Lines other than ADD act on an existing asset,
// named by TargetAssetID, and carry the asset version the customer saw so a
// concurrent change to that asset is detected when the impact is applied.
type OrderItem struct {
	ID                   string
	LineNo               int
	ProductCode          string
	Action               ItemAction
	Quantity             int
	TargetAssetID        string // MODIFY, DISCONNECT, MOVE
	ExpectedAssetVersion int64  // MODIFY, DISCONNECT, MOVE
	ParentItemID         string // add-on whose parent is added by this same order
	ParentAssetID        string // add-on whose parent is already installed
	Location             string // service address; MOVE's new address
	Attributes           map[string]string
}

// ItemInput is what a caller supplies for a new line; ids are assigned.
type ItemInput struct {
	LineNo               int
	ProductCode          string
	Action               ItemAction
	Quantity             int
	TargetAssetID        string
	ExpectedAssetVersion int64
	ParentLineNo         int // refers to another line of the same order
	ParentAssetID        string
	Location             string
	Attributes           map[string]string
}

func (it OrderItem) needsExistingAsset() bool {
	return it.Action == ActionModify || it.Action == ActionDisconnect || it.Action == ActionMove
}

func (it OrderItem) validateShape() error {
	if !it.Action.Valid() {
		return Errorf(EINVALID, "line %d: unknown action %q", it.LineNo, it.Action)
	}
	if it.ProductCode == "" {
		return Errorf(EINVALID, "line %d: product code is required", it.LineNo)
	}
	if it.Quantity < 1 {
		return Errorf(EINVALID, "line %d: quantity must be at least 1", it.LineNo)
	}
	if it.needsExistingAsset() && it.TargetAssetID == "" {
		return Errorf(EINVALID, "line %d: %s needs a target asset", it.LineNo, it.Action)
	}
	if it.Action == ActionAdd && it.TargetAssetID != "" {
		return Errorf(EINVALID, "line %d: ADD creates a new asset and cannot target one", it.LineNo)
	}
	if it.Action == ActionMove && it.Location == "" {
		return Errorf(EINVALID, "line %d: MOVE needs the new location", it.LineNo)
	}
	if it.ParentItemID != "" && it.ParentAssetID != "" {
		return Errorf(EINVALID, "line %d: parent is either a line of this order or an installed asset, not both", it.LineNo)
	}
	return nil
}

func copyAttributes(in map[string]string) map[string]string {
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}
