// Package gateway serves the Zeebe gateway gRPC protocol (pb.GatewayServer) over the store.
package gateway

import (
	"context"
	"errors"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/pb"
	"go.uber.org/zap"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/orderfleet/orderfleet/internal/engine/store"
)

// Version is what Topology reports as the gateway and broker version.
const Version = "8.3.0-orderfleet"

// Server implements pb.GatewayServer. Every RPC answers; the embedded Unimplemented server is only
// a fallback for RPCs a newer protocol might add.
type Server struct {
	pb.UnimplementedGatewayServer
	store    *store.Store
	log      *zap.Logger
	inFlight chan struct{} // back pressure: a slot per command in flight
	host     string
	port     int32
}

// Config wires a Server.
type Config struct {
	Store               *store.Store
	Log                 *zap.Logger
	MaxCommandsInFlight int
	// Host and Port are what Topology reports for the single broker.
	Host string
	Port int32
}

// New builds a Server.
func New(cfg Config) *Server {
	log := cfg.Log
	if log == nil {
		log = zap.NewNop()
	}
	n := cfg.MaxCommandsInFlight
	if n <= 0 {
		n = 1000
	}
	return &Server{store: cfg.Store, log: log, inFlight: make(chan struct{}, n), host: cfg.Host, port: cfg.Port}
}

// admit takes a command slot or rejects with RESOURCE_EXHAUSTED.
func (s *Server) admit() (func(), error) {
	select {
	case s.inFlight <- struct{}{}:
		return func() { <-s.inFlight }, nil
	default:
		s.store.Metrics().BackPressure.Inc()
		return nil, status.Error(codes.ResourceExhausted, "Expected to handle the request, but too many commands are in flight; retry later (back pressure)")
	}
}

// toStatus maps a store error to a gRPC status.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok && !errors.As(err, new(*store.Error)) {
		return err
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	}
	code := codes.Internal
	switch store.CodeOf(err) {
	case store.CodeNotFound:
		code = codes.NotFound
	case store.CodeAlreadyExists:
		code = codes.AlreadyExists
	case store.CodeFailedPrecondition:
		code = codes.FailedPrecondition
	case store.CodeInvalidArgument:
		code = codes.InvalidArgument
	case store.CodeUnimplemented:
		code = codes.Unimplemented
	case store.CodeResourceExhausted:
		code = codes.ResourceExhausted
	case store.CodeDeadlineExceeded:
		code = codes.DeadlineExceeded
	}
	return status.Error(code, err.Error())
}

// run admits a command, runs it and maps its error.
func (s *Server) run(fn func() error) error {
	release, err := s.admit()
	if err != nil {
		return err
	}
	defer release()
	if err := fn(); err != nil {
		if store.CodeOf(err) == store.CodeInternal {
			s.log.Error("command failed", zap.Error(err))
		}
		return toStatus(err)
	}
	return nil
}

func invalidArg(format string, args ...any) error {
	return status.Errorf(codes.InvalidArgument, format, args...)
}

func (s *Server) Topology(ctx context.Context, _ *pb.TopologyRequest) (*pb.TopologyResponse, error) {
	return &pb.TopologyResponse{
		Brokers: []*pb.BrokerInfo{{
			NodeId: 0, Host: s.host, Port: s.port, Version: Version,
			Partitions: []*pb.Partition{{PartitionId: 1, Role: pb.Partition_LEADER, Health: pb.Partition_HEALTHY}},
		}},
		ClusterSize: 1, PartitionsCount: 1, ReplicationFactor: 1, GatewayVersion: Version,
	}, nil
}

func (s *Server) DeployProcess(ctx context.Context, req *pb.DeployProcessRequest) (*pb.DeployProcessResponse, error) {
	var res []store.Resource
	for _, p := range req.GetProcesses() {
		res = append(res, store.Resource{Name: p.GetName(), Content: p.GetDefinition()})
	}
	var d *store.Deployment
	if err := s.run(func() (err error) { d, err = s.store.Deploy(ctx, res); return }); err != nil {
		return nil, err
	}
	out := &pb.DeployProcessResponse{Key: d.Key}
	for _, p := range d.Processes {
		out.Processes = append(out.Processes, processMetadata(p))
	}
	return out, nil
}

func processMetadata(p store.DeployedProcess) *pb.ProcessMetadata {
	return &pb.ProcessMetadata{BpmnProcessId: p.BPMNProcessID, Version: p.Version, ProcessDefinitionKey: p.Key, ResourceName: p.ResourceName}
}

func (s *Server) DeployResource(ctx context.Context, req *pb.DeployResourceRequest) (*pb.DeployResourceResponse, error) {
	var res []store.Resource
	for _, r := range req.GetResources() {
		res = append(res, store.Resource{Name: r.GetName(), Content: r.GetContent()})
	}
	var d *store.Deployment
	if err := s.run(func() (err error) { d, err = s.store.Deploy(ctx, res); return }); err != nil {
		return nil, err
	}
	out := &pb.DeployResourceResponse{Key: d.Key}
	for _, p := range d.Processes {
		out.Deployments = append(out.Deployments, &pb.Deployment{Metadata: &pb.Deployment_Process{Process: processMetadata(p)}})
	}
	return out, nil
}

func createRequest(req *pb.CreateProcessInstanceRequest) store.CreateInstanceRequest {
	r := store.CreateInstanceRequest{
		DefinitionKey: req.GetProcessDefinitionKey(), BPMNProcessID: req.GetBpmnProcessId(),
		Version: req.GetVersion(), Variables: req.GetVariables(),
	}
	for _, si := range req.GetStartInstructions() {
		r.StartElementIDs = append(r.StartElementIDs, si.GetElementId())
	}
	return r
}

func (s *Server) CreateProcessInstance(ctx context.Context, req *pb.CreateProcessInstanceRequest) (*pb.CreateProcessInstanceResponse, error) {
	var c *store.CreatedInstance
	if err := s.run(func() (err error) { c, err = s.store.CreateInstance(ctx, createRequest(req)); return }); err != nil {
		return nil, err
	}
	return &pb.CreateProcessInstanceResponse{ProcessDefinitionKey: c.DefinitionKey, BpmnProcessId: c.BPMNProcessID,
		Version: c.Version, ProcessInstanceKey: c.InstanceKey}, nil
}

func (s *Server) CreateProcessInstanceWithResult(ctx context.Context, req *pb.CreateProcessInstanceWithResultRequest) (*pb.CreateProcessInstanceWithResultResponse, error) {
	if req.GetRequest() == nil {
		return nil, invalidArg("Expected a request to create a process instance, but none given")
	}
	wait := ctx
	if ms := req.GetRequestTimeout(); ms > 0 {
		var cancel context.CancelFunc
		wait, cancel = context.WithTimeout(ctx, time.Duration(ms)*time.Millisecond)
		defer cancel()
	}
	// Waiting is not a command in flight: only the creation takes a slot.
	var c *store.CreatedInstance
	if err := s.run(func() (err error) { c, err = s.store.CreateInstance(ctx, createRequest(req.GetRequest())); return }); err != nil {
		return nil, err
	}
	r, err := s.store.AwaitInstanceResult(wait, c, req.GetFetchVariables())
	if err != nil {
		return nil, toStatus(err)
	}
	return &pb.CreateProcessInstanceWithResultResponse{ProcessDefinitionKey: r.DefinitionKey, BpmnProcessId: r.BPMNProcessID,
		Version: r.Version, ProcessInstanceKey: r.InstanceKey, Variables: r.Variables}, nil
}

func (s *Server) CancelProcessInstance(ctx context.Context, req *pb.CancelProcessInstanceRequest) (*pb.CancelProcessInstanceResponse, error) {
	if err := s.run(func() error { return s.store.CancelInstance(ctx, req.GetProcessInstanceKey()) }); err != nil {
		return nil, err
	}
	return &pb.CancelProcessInstanceResponse{}, nil
}

func (s *Server) CompleteJob(ctx context.Context, req *pb.CompleteJobRequest) (*pb.CompleteJobResponse, error) {
	if err := s.run(func() error { return s.store.CompleteJob(ctx, req.GetJobKey(), req.GetVariables()) }); err != nil {
		return nil, err
	}
	return &pb.CompleteJobResponse{}, nil
}

func (s *Server) FailJob(ctx context.Context, req *pb.FailJobRequest) (*pb.FailJobResponse, error) {
	if err := s.run(func() error {
		return s.store.FailJob(ctx, store.FailJobRequest{Key: req.GetJobKey(), Retries: req.GetRetries(), ErrorMessage: req.GetErrorMessage(),
			RetryBackOff: time.Duration(req.GetRetryBackOff()) * time.Millisecond, Variables: req.GetVariables()})
	}); err != nil {
		return nil, err
	}
	return &pb.FailJobResponse{}, nil
}

func (s *Server) ThrowError(ctx context.Context, req *pb.ThrowErrorRequest) (*pb.ThrowErrorResponse, error) {
	if err := s.run(func() error {
		return s.store.ThrowError(ctx, req.GetJobKey(), req.GetErrorCode(), req.GetErrorMessage(), req.GetVariables())
	}); err != nil {
		return nil, err
	}
	return &pb.ThrowErrorResponse{}, nil
}

func (s *Server) UpdateJobRetries(ctx context.Context, req *pb.UpdateJobRetriesRequest) (*pb.UpdateJobRetriesResponse, error) {
	if err := s.run(func() error { return s.store.UpdateJobRetries(ctx, req.GetJobKey(), req.GetRetries()) }); err != nil {
		return nil, err
	}
	return &pb.UpdateJobRetriesResponse{}, nil
}

func (s *Server) ResolveIncident(ctx context.Context, req *pb.ResolveIncidentRequest) (*pb.ResolveIncidentResponse, error) {
	if err := s.run(func() error { return s.store.ResolveIncident(ctx, req.GetIncidentKey()) }); err != nil {
		return nil, err
	}
	return &pb.ResolveIncidentResponse{}, nil
}

func (s *Server) PublishMessage(ctx context.Context, req *pb.PublishMessageRequest) (*pb.PublishMessageResponse, error) {
	var key int64
	if err := s.run(func() (err error) {
		key, err = s.store.PublishMessage(ctx, store.PublishRequest{Name: req.GetName(), CorrelationKey: req.GetCorrelationKey(),
			TTL: time.Duration(req.GetTimeToLive()) * time.Millisecond, MessageID: req.GetMessageId(), Variables: req.GetVariables()})
		return
	}); err != nil {
		return nil, err
	}
	return &pb.PublishMessageResponse{Key: key}, nil
}

func (s *Server) SetVariables(ctx context.Context, req *pb.SetVariablesRequest) (*pb.SetVariablesResponse, error) {
	var key int64
	if err := s.run(func() (err error) {
		key, err = s.store.SetVariables(ctx, req.GetElementInstanceKey(), req.GetVariables(), req.GetLocal())
		return
	}); err != nil {
		return nil, err
	}
	return &pb.SetVariablesResponse{Key: key}, nil
}

func (s *Server) ModifyProcessInstance(ctx context.Context, req *pb.ModifyProcessInstanceRequest) (*pb.ModifyProcessInstanceResponse, error) {
	var acts []store.ModifyActivate
	for _, a := range req.GetActivateInstructions() {
		ma := store.ModifyActivate{ElementID: a.GetElementId(), AncestorElementInstanceKey: a.GetAncestorElementInstanceKey()}
		for _, v := range a.GetVariableInstructions() {
			ma.Variables = append(ma.Variables, store.ModifyVariables{ScopeID: v.GetScopeId(), Variables: v.GetVariables()})
		}
		acts = append(acts, ma)
	}
	var terms []int64
	for _, t := range req.GetTerminateInstructions() {
		terms = append(terms, t.GetElementInstanceKey())
	}
	if err := s.run(func() error { return s.store.ModifyInstance(ctx, req.GetProcessInstanceKey(), acts, terms) }); err != nil {
		return nil, err
	}
	return &pb.ModifyProcessInstanceResponse{}, nil
}

func (s *Server) DeleteResource(ctx context.Context, req *pb.DeleteResourceRequest) (*pb.DeleteResourceResponse, error) {
	if err := s.run(func() error { return s.store.DeleteResource(ctx, req.GetResourceKey()) }); err != nil {
		return nil, err
	}
	return &pb.DeleteResourceResponse{}, nil
}

func (s *Server) BroadcastSignal(ctx context.Context, req *pb.BroadcastSignalRequest) (*pb.BroadcastSignalResponse, error) {
	var key int64
	if err := s.run(func() (err error) {
		key, err = s.store.BroadcastSignal(ctx, req.GetSignalName(), req.GetVariables())
		return
	}); err != nil {
		return nil, err
	}
	return &pb.BroadcastSignalResponse{Key: key}, nil
}

func (s *Server) EvaluateDecision(context.Context, *pb.EvaluateDecisionRequest) (*pb.EvaluateDecisionResponse, error) {
	return nil, status.Error(codes.Unimplemented, "EvaluateDecision is not supported: this engine runs BPMN only (no DMN decisions)")
}
