// Package storetest gives tests a PostgreSQL database of their own: created with a random name
// on the shared server, migrated, dropped when the test ends.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// AdminURL is the shared PostgreSQL; ENGINE_TEST_DATABASE_URL overrides it.
func AdminURL() string {
	if u := os.Getenv("ENGINE_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://orderfleet:orderfleet@127.0.0.1:15432/postgres"
}

// NewDatabase creates a database for one test and migrates it with migrate (store.Migrate; a
// parameter so the store's own tests can use this package). It fails, never skips, when
// PostgreSQL is unreachable. It returns the pool and the database's URL.
func NewDatabase(t testing.TB, migrate func(context.Context, *pgxpool.Pool) error) (*pgxpool.Pool, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgxpool.New(ctx, AdminURL())
	if err != nil {
		t.Fatalf("connect to PostgreSQL at %s: %v", AdminURL(), err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "eng_server_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("create test database on %s: %v", AdminURL(), err)
	}
	u, err := url.Parse(AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	cfg, err := pgxpool.ParseConfig(u.String())
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 16
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pool.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop test database %s: %v", name, err)
		}
		admin.Close()
	})
	if err := migrate(ctx, pool); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return pool, u.String()
}
