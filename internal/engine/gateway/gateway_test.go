package gateway

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/pb"
	"github.com/camunda/zeebe/clients/go/v8/pkg/zbc"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/orderfleet/orderfleet/internal/engine/store"
	"github.com/orderfleet/orderfleet/internal/engine/store/storetest"
)

// startGateway serves the gateway on a random port over a fresh database.
func startGateway(t *testing.T, maxInFlight int) (zbc.Client, *store.Store) {
	t.Helper()
	pool, _ := storetest.NewDatabase(t, store.Migrate)
	st, err := store.New(context.Background(), store.Config{Pool: pool})
	if err != nil {
		t.Fatal(err)
	}
	bg, stopBG := context.WithCancel(context.Background())
	bgDone := make(chan struct{})
	go func() { st.RunBackground(bg); close(bgDone) }()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	pb.RegisterGatewayServer(srv, New(Config{Store: st, MaxCommandsInFlight: maxInFlight, Host: "127.0.0.1", Port: int32(lis.Addr().(*net.TCPAddr).Port)}))
	go func() { _ = srv.Serve(lis) }()
	client, err := zbc.NewClient(&zbc.ClientConfig{GatewayAddress: lis.Addr().String(), UsePlaintextConnection: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		client.Close()
		srv.Stop()
		stopBG()
		<-bgDone
		st.Wait()
	})
	return client, st
}

func TestOrderFulfillmentFirstJobThroughTheGoClient(t *testing.T) {
	client, st := startGateway(t, 100)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	topo, err := client.NewTopologyCommand().Send(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if topo.ClusterSize != 1 || topo.GatewayVersion != Version || topo.Brokers[0].Partitions[0].Role != pb.Partition_LEADER {
		t.Fatalf("topology: %+v", topo)
	}

	dep, err := client.NewDeployResourceCommand().AddResourceFile(filepath.Join("..", "..", "..", "bpmn", "order-fulfillment-v1.bpmn")).Send(ctx)
	if err != nil {
		t.Fatal(err)
	}
	proc := dep.Deployments[0].GetProcess()
	if proc.BpmnProcessId != "order-fulfillment-v1" || proc.Version != 1 || !strings.HasSuffix(proc.ResourceName, "order-fulfillment-v1.bpmn") || proc.ProcessDefinitionKey == 0 {
		t.Fatalf("deployment: %+v", proc)
	}

	cmd, err := client.NewCreateInstanceCommand().BPMNProcessId("order-fulfillment-v1").LatestVersion().
		VariablesFromString(`{"orderId":"o-42","tenantId":"t-1"}`)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := cmd.Send(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// Long polling: the request parks; a job created meanwhile is handed out at once.
	jobs, err := client.NewActivateJobsCommand().JobType("load-fulfillment-plan").MaxJobsToActivate(5).
		Timeout(time.Minute).WorkerName("test").Send(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || jobs[0].ProcessInstanceKey != inst.ProcessInstanceKey || jobs[0].ElementId != "LoadFulfillmentPlan" {
		var incidents []string
		rows, _ := st.Pool().Query(ctx, `SELECT type || ': ' || message FROM incident`)
		for rows.Next() {
			var m string
			_ = rows.Scan(&m)
			incidents = append(incidents, m)
		}
		rows.Close()
		t.Fatalf("activated: %+v (incidents: %v)", jobs, incidents)
	}
	vars, _ := jobs[0].GetVariablesAsMap()
	if vars["orderId"] != "o-42" {
		t.Fatalf("job variables: %v", vars)
	}
	if _, err := client.NewCompleteJobCommand().JobKey(jobs[0].Key).Send(ctx); err != nil {
		t.Fatal(err)
	}
	_, err = client.NewCompleteJobCommand().JobKey(jobs[0].Key).Send(ctx)
	if status.Code(err) != codes.NotFound {
		t.Fatalf("second complete: %v, want NOT_FOUND", err)
	}
}

func TestActivateJobsParksUntilAJobIsCreated(t *testing.T) {
	client, _ := startGateway(t, 100)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := client.NewDeployResourceCommand().AddResource([]byte(oneTaskXML), "p.bpmn").Send(ctx); err != nil {
		t.Fatal(err)
	}
	type result struct {
		n   int
		err error
		at  time.Time
	}
	got := make(chan result, 1)
	go func() {
		jobs, err := client.NewActivateJobsCommand().JobType("work").MaxJobsToActivate(1).Timeout(time.Minute).Send(ctx)
		got <- result{len(jobs), err, time.Now()}
	}()
	time.Sleep(300 * time.Millisecond)
	created := time.Now()
	cmd, _ := client.NewCreateInstanceCommand().BPMNProcessId("p").LatestVersion().VariablesFromString(`{}`)
	if _, err := cmd.Send(ctx); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.err != nil || r.n != 1 {
		t.Fatalf("parked activation: %d jobs, %v", r.n, r.err)
	}
	if d := r.at.Sub(created); d > 900*time.Millisecond {
		t.Fatalf("parked activation answered %v after the job was created; the wake-up did not work", d)
	}
}

func TestErrorCodes(t *testing.T) {
	client, _ := startGateway(t, 100)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := client.NewDeployResourceCommand().AddResource([]byte("<nope"), "bad.bpmn").Send(ctx)
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("bad BPMN: %v", err)
	}
	_, err = client.NewDeployResourceCommand().AddResource([]byte("<definitions/>"), "d.dmn").Send(ctx)
	if status.Code(err) != codes.Unimplemented || !strings.Contains(err.Error(), "BPMN only") {
		t.Fatalf("DMN: %v", err)
	}
	_, err = client.NewEvaluateDecisionCommand().DecisionId("x").Send(ctx)
	if status.Code(err) != codes.Unimplemented {
		t.Fatalf("EvaluateDecision: %v", err)
	}
	cmd, _ := client.NewCreateInstanceCommand().BPMNProcessId("missing").LatestVersion().VariablesFromString(`{}`)
	if _, err := cmd.Send(ctx); status.Code(err) != codes.NotFound {
		t.Fatalf("missing process: %v", err)
	}
	_, err = client.NewActivateJobsCommand().JobType("").MaxJobsToActivate(1).Send(ctx)
	if status.Code(err) != codes.InvalidArgument {
		t.Fatalf("empty job type: %v", err)
	}
	_, err = client.NewPublishMessageCommand().MessageName("m").CorrelationKey("k").MessageId("id-1").TimeToLive(time.Minute).Send(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = client.NewPublishMessageCommand().MessageName("m").CorrelationKey("k").MessageId("id-1").TimeToLive(time.Minute).Send(ctx)
	if status.Code(err) != codes.AlreadyExists {
		t.Fatalf("duplicate message id: %v", err)
	}
}

func TestBackPressureRejectsWhenFull(t *testing.T) {
	_, st := startGateway(t, 100)
	s := New(Config{Store: st, MaxCommandsInFlight: 1})
	release, err := s.admit()
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.CompleteJob(context.Background(), &pb.CompleteJobRequest{JobKey: 1})
	if status.Code(err) != codes.ResourceExhausted {
		t.Fatalf("command while the only slot is taken: %v, want RESOURCE_EXHAUSTED", err)
	}
	release()
	_, err = s.CompleteJob(context.Background(), &pb.CompleteJobRequest{JobKey: 1})
	if status.Code(err) != codes.NotFound {
		t.Fatalf("command after the slot was freed: %v, want NOT_FOUND", err)
	}
}

const oneTaskXML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="x">
<bpmn:process id="p" isExecutable="true">
<bpmn:startEvent id="start"/>
<bpmn:serviceTask id="work"><bpmn:extensionElements><zeebe:taskDefinition type="work"/></bpmn:extensionElements></bpmn:serviceTask>
<bpmn:endEvent id="end"/>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
<bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end"/>
</bpmn:process></bpmn:definitions>`
