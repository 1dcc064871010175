package store

import (
	"context"
	"testing"
	"time"
)

// A lease whose answer never reached its worker goes back at once, but only while it is still
// that worker's lease: after a takeover the release must not touch the new holder's job.
func TestReleaseJobsHandsBackOnlyTheUndeliveredLease(t *testing.T) {
	s := newTestStore(t, true, false)
	ctx := context.Background()
	deploy(t, s, "p.bpmn", bpmnProcess("p", oneTask))
	if _, err := s.CreateInstance(ctx, CreateInstanceRequest{BPMNProcessID: "p", Version: -1}); err != nil {
		t.Fatal(err)
	}
	job := activateOne(t, s, "work")
	if err := s.ReleaseJobs(ctx, "work", []int64{job.Key}, "someone-else", time.UnixMilli(job.Deadline)); err != nil {
		t.Fatal(err)
	}
	if jobs, _ := s.ActivateJobs(ctx, ActivateRequest{Type: "work", Worker: "w2", Timeout: time.Minute, Max: 1}); len(jobs) != 0 {
		t.Fatal("a release naming another worker handed the lease back")
	}
	if err := s.ReleaseJobs(ctx, "work", []int64{job.Key}, job.Worker, time.UnixMilli(job.Deadline)); err != nil {
		t.Fatal(err)
	}
	again := activateOne(t, s, "work")
	if again.Key != job.Key {
		t.Fatalf("activated %d after the release, want %d", again.Key, job.Key)
	}
}
