package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// adminURL is the shared PostgreSQL; ENGINE_TEST_DATABASE_URL overrides it.
func adminURL() string {
	if u := os.Getenv("ENGINE_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://orderfleet:orderfleet@127.0.0.1:15432/postgres"
}

// newTestDatabase creates a database with a random name for one test, migrated, and drops it
// when the test ends. It fails (never skips) when PostgreSQL is unreachable.
func newTestDatabase(t testing.TB) *pgxpool.Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgxpool.New(ctx, adminURL())
	if err != nil {
		t.Fatalf("connect to PostgreSQL at %s: %v", adminURL(), err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "eng_server_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("create test database: %v", err)
	}
	cfg, err := pgxpool.ParseConfig(adminURL())
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.Database = name
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
	if err := Migrate(ctx, pool); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return pool
}

// newTestStore is a Store over a fresh database; background work runs until the test ends
// when background is true.
func newTestStore(t testing.TB, clockControlled, background bool) *Store {
	t.Helper()
	pool := newTestDatabase(t)
	s, err := New(context.Background(), Config{Pool: pool, ClockControlled: clockControlled})
	if err != nil {
		t.Fatal(err)
	}
	if background {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { s.RunBackground(ctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done; s.Wait() })
	} else {
		t.Cleanup(s.Wait)
	}
	return s
}

func readBPMN(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func bpmnProcess(id, body string) []byte {
	return []byte(strings.ReplaceAll(`<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://bpmn.io/schema/bpmn">
<bpmn:process id="PID" isExecutable="true">`+body+`</bpmn:process>
</bpmn:definitions>`, "PID", id))
}
