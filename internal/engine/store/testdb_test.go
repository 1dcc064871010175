package store

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderfleet/orderfleet/internal/engine/store/storetest"
)

func newTestDatabase(t testing.TB) *pgxpool.Pool {
	pool, _ := storetest.NewDatabase(t, Migrate)
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
