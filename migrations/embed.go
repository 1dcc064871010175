// Package migrations holds the goose SQL migrations of the OMS schema,
// embedded so binaries and tests migrate without reading the file system.
package migrations

import "embed"

// FS contains every *.sql migration, named 000NN_description.sql.
//
//go:embed *.sql
var FS embed.FS
