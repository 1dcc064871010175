// Package pgtest gives each test its own freshly migrated PostgreSQL
// database. The schema is migrated once into a template database; every
// test then gets a cheap CREATE DATABASE ... TEMPLATE copy, dropped at
// cleanup. It never skips: a test that needs PostgreSQL fails loudly when
// the server is not there.
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/migrations"
)

// EnvURL names the variable holding the admin connection URL.
const EnvURL = "ORDERFLEET_TEST_DATABASE_URL"

// DefaultURL is the local stack's PostgreSQL (make stack-up).
const DefaultURL = "postgres://orderfleet:orderfleet@127.0.0.1:15432/postgres?sslmode=disable"

// lockKey serialises template building across test processes: go test runs
// packages in parallel processes that share the server.
const lockKey = 7_201_604_042

var templateOnce sync.Mutex

// AdminURL returns the URL used to create and drop test databases.
func AdminURL() string {
	if u := os.Getenv(EnvURL); u != "" {
		return u
	}
	return DefaultURL
}

// NewPool returns a pool on a new database holding the current schema.
func NewPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	pool, _ := NewDatabase(t)
	return pool
}

// NewDatabase is NewPool that also returns the database URL, for code
// under test that opens its own connections.
func NewDatabase(t testing.TB) (*pgxpool.Pool, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	admin := AdminURL()
	connectCtx, cancelConnect := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.Connect(connectCtx, admin)
	cancelConnect()
	if err != nil {
		t.Fatalf("pgtest: cannot reach PostgreSQL at %s: %v\n"+
			"run `make stack-up` to start the local stack, or set %s to a reachable server", redact(admin), err, EnvURL)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	name := "of_test_" + randomHex(6)
	err = withLock(ctx, conn, func() error {
		tmpl, err := ensureTemplate(ctx, conn, admin)
		if err != nil {
			return err
		}
		return execRetry(ctx, conn, fmt.Sprintf("create database %s template %s", ident(name), ident(tmpl)))
	})
	if err != nil {
		t.Fatalf("pgtest: preparing test database: %v", err)
	}
	dbURL := withDatabase(admin, name)
	t.Cleanup(func() { dropDatabase(t, admin, name) })
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatalf("pgtest: connecting to %s: %v", name, err)
	}
	t.Cleanup(pool.Close)
	return pool, dbURL
}

// withLock holds a process mutex and a server advisory lock around fn.
func withLock(ctx context.Context, conn *pgx.Conn, fn func() error) error {
	templateOnce.Lock()
	defer templateOnce.Unlock()
	if _, err := conn.Exec(ctx, "select pg_advisory_lock($1)", int64(lockKey)); err != nil {
		return fmt.Errorf("advisory lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), "select pg_advisory_unlock($1)", int64(lockKey)) //nolint:errcheck
	return fn()
}

// ensureTemplate builds the template for the current migrations if it does
// not exist. The name carries a hash of the migration files, so a schema
// change gets a new template instead of reusing a stale one; building under
// a temporary name and renaming means a half-built template is never used.
func ensureTemplate(ctx context.Context, conn *pgx.Conn, admin string) (string, error) {
	name := "of_tmpl_" + migrationsHash()[:12]
	var exists bool
	if err := conn.QueryRow(ctx, "select exists (select 1 from pg_database where datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if exists {
		return name, nil
	}
	build := name + "_build"
	if err := execRetry(ctx, conn, fmt.Sprintf("drop database if exists %s with (force)", ident(build))); err != nil {
		return "", err
	}
	if err := execRetry(ctx, conn, "create database "+ident(build)); err != nil {
		return "", err
	}
	if err := postgres.Migrate(ctx, withDatabase(admin, build)); err != nil {
		return "", err
	}
	if err := execRetry(ctx, conn, fmt.Sprintf("alter database %s rename to %s", ident(build), ident(name))); err != nil {
		return "", err
	}
	return name, nil
}

// execRetry retries while the source database still shows a just-closed
// session (SQLSTATE 55006, object in use).
func execRetry(ctx context.Context, conn *pgx.Conn, sql string) error {
	var err error
	for i := 0; i < 50; i++ {
		if _, err = conn.Exec(ctx, sql); err == nil {
			return nil
		}
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "55006" {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

func dropDatabase(t testing.TB, admin, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Errorf("pgtest: dropping %s: %v", name, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, fmt.Sprintf("drop database if exists %s with (force)", ident(name))); err != nil {
		t.Errorf("pgtest: dropping %s: %v", name, err)
	}
}

func migrationsHash() string {
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		panic(err)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, n := range names {
		b, err := fs.ReadFile(migrations.FS, n)
		if err != nil {
			panic(err)
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func withDatabase(rawURL, db string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		panic(fmt.Sprintf("pgtest: bad URL in %s: %v", EnvURL, err))
	}
	u.Path = "/" + db
	return u.String()
}

func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

func ident(s string) string { return pgx.Identifier{s}.Sanitize() }

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}
