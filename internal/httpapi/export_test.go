package httpapi

// SetChunk lets a test walk the expiry a few keys at a time.
func (e *KeyExpiry) SetChunk(n int) { e.chunk = n }
