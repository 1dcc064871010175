package gateway

import (
	"context"
	"errors"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/pb"
	"google.golang.org/grpc/status"

	"github.com/orderfleet/orderfleet/internal/engine/store"
)

// defaultLongPoll is the long-polling time of a request that gives requestTimeout 0.
const defaultLongPoll = 10 * time.Second

// requery is the safety net under the wake-ups: a parked request looks again this often.
const requery = time.Second

// ActivateJobs answers as soon as jobs exist; otherwise it parks until a job of the type is
// created (here or in another engine process), the safety-net re-query finds one, or the
// request timeout passes (then it answers with no jobs). A negative requestTimeout does not park.
func (s *Server) ActivateJobs(req *pb.ActivateJobsRequest, stream pb.Gateway_ActivateJobsServer) error {
	switch {
	case req.GetType() == "":
		return invalidArg("Expected to activate jobs with a non-empty type, but it was empty")
	case req.GetMaxJobsToActivate() < 1:
		return invalidArg("Expected to activate jobs with maxJobsToActivate >= 1, but it was %d", req.GetMaxJobsToActivate())
	case req.GetTimeout() < 1:
		return invalidArg("Expected to activate jobs with a timeout >= 1 ms, but it was %d", req.GetTimeout())
	}
	ctx := stream.Context()
	poll := time.Duration(req.GetRequestTimeout()) * time.Millisecond
	if req.GetRequestTimeout() == 0 {
		poll = defaultLongPoll
	}
	deadline := time.Now().Add(poll)
	ar := store.ActivateRequest{Type: req.GetType(), Worker: req.GetWorker(), Timeout: time.Duration(req.GetTimeout()) * time.Millisecond,
		Max: req.GetMaxJobsToActivate(), FetchVariables: req.GetFetchVariable()}
	for {
		// Subscribe before querying, so a job created in between still wakes this request.
		wake := s.store.JobsAvailable(req.GetType())
		var jobs []store.ActivatedJob
		if err := s.run(func() (err error) { jobs, err = s.store.ActivateJobs(ctx, ar); return }); err != nil {
			return err
		}
		if len(jobs) > 0 {
			return s.deliver(stream, ar.Worker, jobs)
		}
		left := time.Until(deadline)
		if req.GetRequestTimeout() < 0 || left <= 0 {
			return stream.Send(&pb.ActivateJobsResponse{})
		}
		t := time.NewTimer(min(left, requery))
		select {
		case <-ctx.Done():
			t.Stop()
			return status.FromContextError(ctx.Err()).Err()
		case <-wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// deliver sends leased jobs; when the stream is gone (the worker gave up on its long poll), the
// jobs go back to ACTIVATABLE at once instead of sitting out their timeout.
func (s *Server) deliver(stream pb.Gateway_ActivateJobsServer, worker string, jobs []store.ActivatedJob) error {
	err := stream.Send(&pb.ActivateJobsResponse{Jobs: activated(jobs)})
	if err == nil {
		return nil
	}
	keys := make([]int64, len(jobs))
	for i, j := range jobs {
		keys[i] = j.Key
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if rerr := s.store.ReleaseJobs(ctx, jobs[0].Type, keys, worker, time.UnixMilli(jobs[0].Deadline)); rerr != nil {
		return errors.Join(err, rerr)
	}
	return err
}

func activated(jobs []store.ActivatedJob) []*pb.ActivatedJob {
	out := make([]*pb.ActivatedJob, len(jobs))
	for i, j := range jobs {
		out[i] = &pb.ActivatedJob{Key: j.Key, Type: j.Type, ProcessInstanceKey: j.ProcessInstanceKey, BpmnProcessId: j.BPMNProcessID,
			ProcessDefinitionVersion: j.Version, ProcessDefinitionKey: j.DefinitionKey, ElementId: j.ElementID,
			ElementInstanceKey: j.ElementInstanceKey, CustomHeaders: j.CustomHeaders, Worker: j.Worker, Retries: j.Retries,
			Deadline: j.Deadline, Variables: j.Variables}
	}
	return out
}
