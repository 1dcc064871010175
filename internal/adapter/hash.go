package adapter

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// CanonicalJSON re-encodes a JSON document with sorted object keys and no insignificant space, so
// two encodings of the same answer hash alike (a replay, a redelivered callback).
func CanonicalJSON(doc []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber() // keep numbers exactly as sent
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("not JSON: data after the document")
	}
	return json.Marshal(v) // maps marshal with sorted keys
}

// CanonicalHash is "sha256:<hex>" of the canonical form of a JSON document.
func CanonicalHash(doc []byte) (string, error) {
	c, err := CanonicalJSON(doc)
	if err != nil {
		return "", err
	}
	return HashBytes(c), nil
}

// HashBytes is "sha256:<hex>" of raw bytes.
func HashBytes(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}
