// Package demo holds the sample orders of the golden flows that `fleetctl demo` runs and that the
// golden timeline tests replay. They are plain request bodies of POST /api/v1/orders, so
// `fleetctl order create -f` takes them too; {{customerId}} and {{asset:PRODUCT}} are filled in
// by the demo (replace them by hand when you post a file yourself).
package demo

import "embed"

// Orders are the sample order documents, by file name under orders/.
//
//go:embed orders/*.json
var Orders embed.FS
