package outbox

// SetPruneChunk makes retention delete n rows per statement until restore is called; tests that
// use it must not run in parallel.
func SetPruneChunk(n int) (restore func()) {
	old := pruneChunk
	pruneChunk = n
	return func() { pruneChunk = old }
}
