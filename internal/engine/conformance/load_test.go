package conformance

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/pb"
	"google.golang.org/grpc/codes"
)

// TestConcurrentCommandsNeverHang: many commands at once are served or refused with
// RESOURCE_EXHAUSTED (back pressure), never left hanging. It runs its own engine and database,
// so a hung engine cannot take the rest of the suite with it.
// docs: apis-tools/zeebe-api/technical-error-handling (RESOURCE_EXHAUSTED: back pressure, retry later)
func TestConcurrentCommandsNeverHang(t *testing.T) {
	dbURL, drop, err := createDatabase("load")
	if err != nil {
		t.Fatalf("database: %v", err)
	}
	t.Cleanup(drop)
	p := startEngine(t, dbURL)
	client := gatewayTo(t, p)
	pid, jt := uniq("load"), uniq("load-type")
	if _, err := client.DeployResource(ctxT(t), &pb.DeployResourceRequest{Resources: []*pb.Resource{{Name: "load.bpmn", Content: []byte(twoTasks(pid, jt, jt+"-b"))}}}); err != nil {
		t.Fatalf("deploy: %v", err)
	}
	const callers = 64
	const callTimeout = 10 * time.Second
	stopAt := time.Now().Add(3 * time.Second)
	var mu sync.Mutex
	served, refused, hung := 0, 0, 0
	var other []error
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(stopAt) {
				ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
				var err error
				if i%2 == 0 {
					_, err = client.CreateProcessInstance(ctx, &pb.CreateProcessInstanceRequest{BpmnProcessId: pid, Version: -1})
				} else {
					// Half the callers complete jobs: commands on existing instances beside new ones.
					var stream pb.Gateway_ActivateJobsClient
					stream, err = client.ActivateJobs(ctx, &pb.ActivateJobsRequest{Type: jt, Worker: "load", Timeout: 60000, MaxJobsToActivate: 8, RequestTimeout: -1})
					if err == nil {
						for {
							resp, rerr := stream.Recv()
							if rerr != nil {
								break
							}
							for _, j := range resp.Jobs {
								if _, err = client.CompleteJob(ctx, &pb.CompleteJobRequest{JobKey: j.Key, Variables: "{}"}); err != nil {
									break
								}
							}
						}
					}
				}
				cancel()
				mu.Lock()
				switch code(err) {
				case codes.OK:
					served++
				case codes.ResourceExhausted:
					refused++
				case codes.DeadlineExceeded:
					hung++
				default:
					other = append(other, err)
				}
				mu.Unlock()
				if code(err) == codes.DeadlineExceeded {
					return
				}
			}
		}()
	}
	wg.Wait()
	t.Logf("%d served, %d refused with RESOURCE_EXHAUSTED, %d hung past %s", served, refused, hung, callTimeout)
	if hung > 0 {
		t.Fatalf("%d of %d callers got no answer within %s (engine log %s)", hung, callers, callTimeout, p.logPath)
	}
	if len(other) > 0 {
		t.Fatalf("%d unexpected errors, first: %v", len(other), other[0])
	}
	if served == 0 {
		t.Fatal("no command was served")
	}
}
