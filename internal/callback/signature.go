// Package callback is the signed callback API external systems use to report asynchronous results
// (POST /api/v1/integrations/{provisioning,shipping,billing,appointment}/callbacks, seed 001 §10,
// §22). A callback is authenticated, validated, deduplicated and stored as evidence; the result
// reaches the process only through the outbox and the correlation router, never directly.
package callback

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Headers of a signed callback. The tenant header selects the secret; the signature covers the
// timestamp and the exact body bytes, so neither can be swapped.
const (
	HeaderTenant    = "X-Tenant-ID"
	HeaderTimestamp = "X-Callback-Timestamp" // Unix seconds
	HeaderSignature = "X-Callback-Signature" // "sha256=" + hex HMAC
	signaturePrefix = "sha256="
)

// Sign returns the signature header value: HMAC-SHA256 with the tenant's secret over
// "<unix seconds>.<body>". Partners (and the simulator) sign with it; the handler verifies with it.
func Sign(secret string, timestamp int64, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
	mac.Write([]byte("."))
	mac.Write(body)
	return signaturePrefix + hex.EncodeToString(mac.Sum(nil))
}

// SignRequest sets the tenant, timestamp and signature headers of an outgoing callback.
func SignRequest(r *http.Request, tenantID, secret string, body []byte, now time.Time) {
	ts := now.Unix()
	r.Header.Set(HeaderTenant, tenantID)
	r.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	r.Header.Set(HeaderSignature, Sign(secret, ts, body))
}

// Verification failures; both answer 401, the code tells the partner which one to fix.
var (
	errBadSignature   = errors.New("signature does not match")
	errStaleTimestamp = errors.New("timestamp outside the replay window")
)

// verify checks a signature and that its timestamp is within window of now, either side: a
// captured request replayed later fails even though its signature is genuine.
func verify(secret, timestampHeader, signatureHeader string, body []byte, now time.Time, window time.Duration) error {
	ts, err := strconv.ParseInt(strings.TrimSpace(timestampHeader), 10, 64)
	if err != nil {
		return errBadSignature
	}
	age := now.Sub(time.Unix(ts, 0))
	if age > window || age < -window {
		return errStaleTimestamp
	}
	want := Sign(secret, ts, body)
	if !hmac.Equal([]byte(want), []byte(strings.TrimSpace(signatureHeader))) {
		return errBadSignature
	}
	return nil
}
