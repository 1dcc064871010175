package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/orderfleet/orderfleet/internal/postgres"
)

// txWork is a command's effect. It runs inside the request's transaction and
// returns the answer; the answer is stored with the Idempotency-Key in that
// same transaction, so either both exist or neither does.
type txWork func(tx *postgres.Tx) (outcome, error)

// outcome is a command's answer before encoding.
type outcome struct {
	status   int
	body     any
	location string
}

// answer is an encoded command answer, fresh or replayed.
type answer struct {
	status   int
	body     []byte
	location string
	replayed bool
}

// conflictAttempts bounds how often a command is re-run after another writer
// changed the same order first (version_conflict).
const conflictAttempts = 3

// execute runs work in one transaction under the request's Idempotency-Key.
//
// The key is claimed first with INSERT ... ON CONFLICT DO NOTHING: a second
// request with the same key waits on the first one's row until it commits
// (then it replays the stored answer) or rolls back (then it runs itself).
// A failed request stores nothing, so its key stays free for a retry.
func (s *Server) execute(c *call, work txWork) (answer, error) {
	ctx := c.r.Context()
	fingerprint := requestHash(c)
	var res answer
	err := postgres.RetryOnConflict(ctx, conflictAttempts, func() error {
		res = answer{}
		return s.store.Do(ctx, func(tx *postgres.Tx) error {
			if c.idempotencyKey != "" {
				prior, claimed, err := claimKey(tx, c, fingerprint)
				if err != nil {
					return err
				}
				if !claimed {
					if prior.hash != fingerprint {
						return fail(CodeIdempotencyKeyReused, "this Idempotency-Key was used with another request; use a new key")
					}
					res = prior.answer
					res.replayed = true
					return nil
				}
			}
			out, err := work(tx)
			if err != nil {
				return err
			}
			body, err := json.Marshal(out.body)
			if err != nil {
				return fmt.Errorf("encode answer: %w", err)
			}
			res = answer{status: out.status, body: body, location: out.location}
			if c.idempotencyKey == "" {
				return nil
			}
			return storeAnswer(tx, c, res)
		})
	})
	return res, err
}

// requestHash identifies a request for key reuse: method, path and the exact
// body bytes. The same key sent to another route is another request.
func requestHash(c *call) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", c.r.Method, c.r.URL.Path)
	h.Write(c.body)
	return hex.EncodeToString(h.Sum(nil))
}

type storedAnswer struct {
	answer
	hash string
}

// claimKey inserts the key's row, or returns the committed row that holds it. The insert does not
// lock a row it conflicts with, so the key expiry may delete that row before the read: the key is
// then free, and the insert is tried once more.
func claimKey(tx *postgres.Tx, c *call, fingerprint string) (prior storedAnswer, claimed bool, err error) {
	for attempt := 0; attempt < 2; attempt++ {
		if claimed, err = insertKey(tx, c, fingerprint); err != nil || claimed {
			return storedAnswer{}, claimed, err
		}
		if prior, err = readKey(tx, c); !errors.Is(err, pgx.ErrNoRows) {
			break
		}
	}
	if err != nil {
		return storedAnswer{}, false, fmt.Errorf("read idempotency key: %w", err)
	}
	return prior, false, nil
}

func insertKey(tx *postgres.Tx, c *call, fingerprint string) (bool, error) {
	tag, err := tx.Raw().Exec(tx.Context(), `
		insert into api_idempotency (tenant_id, idempotency_key, request_method, request_path, request_hash,
		    response_status, response_body, created_at)
		values ($1, $2, $3, $4, $5, 0, ''::bytea, $6)
		on conflict (tenant_id, idempotency_key) do nothing`,
		c.tenantID, c.idempotencyKey, c.r.Method, c.r.URL.Path, fingerprint, c.now)
	if err != nil {
		return false, fmt.Errorf("claim idempotency key: %w", err)
	}
	return tag.RowsAffected() == 1, nil
}

func readKey(tx *postgres.Tx, c *call) (storedAnswer, error) {
	var prior storedAnswer
	var location *string
	err := tx.Raw().QueryRow(tx.Context(), `
		select request_hash, response_status, response_body, response_location
		from api_idempotency where tenant_id = $1 and idempotency_key = $2`,
		c.tenantID, c.idempotencyKey).Scan(&prior.hash, &prior.status, &prior.body, &location)
	if location != nil {
		prior.location = *location
	}
	return prior, err
}

func storeAnswer(tx *postgres.Tx, c *call, res answer) error {
	var location *string
	if res.location != "" {
		location = &res.location
	}
	_, err := tx.Raw().Exec(tx.Context(), `
		update api_idempotency set response_status = $3, response_body = $4, response_location = $5
		where tenant_id = $1 and idempotency_key = $2`,
		c.tenantID, c.idempotencyKey, res.status, res.body, location)
	if err != nil {
		return fmt.Errorf("store idempotent answer: %w", err)
	}
	return nil
}
