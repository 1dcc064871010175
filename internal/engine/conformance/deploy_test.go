package conformance

import (
	"strings"
	"testing"

	"github.com/camunda/zeebe/clients/go/v8/pkg/pb"
	"google.golang.org/grpc/codes"
)

// docs: components/concepts/resource-deployments (duplicate content: same version and key)
func TestDeploySameContentTwice(t *testing.T) {
	parallel(t)
	pid := uniq("deploy-same")
	xml := oneTask(pid, uniq("deploy-same-type"))
	a, b := deploy(t, xml), deploy(t, xml)
	if a.ProcessDefinitionKey != b.ProcessDefinitionKey || a.Version != 1 || b.Version != 1 {
		t.Fatalf("first %+v second %+v, want the same key and version 1", a, b)
	}
}

// docs: components/concepts/resource-deployments (changed content: a new version)
func TestDeployChangedContentNewVersion(t *testing.T) {
	parallel(t)
	pid := uniq("deploy-changed")
	a := deploy(t, oneTask(pid, uniq("deploy-changed-1")))
	b := deploy(t, oneTask(pid, uniq("deploy-changed-2")))
	if b.Version != 2 || b.ProcessDefinitionKey == a.ProcessDefinitionKey {
		t.Fatalf("second deployment %+v, want version 2 with a new key (first %+v)", b, a)
	}
}

// docs: components/modeler/bpmn/bpmn-coverage (an unsupported element is rejected at deploy)
func TestDeployInvalidBPMN(t *testing.T) {
	parallel(t)
	pid := uniq("deploy-invalid")
	xml := bpmnDoc(pid, newScope(startEv("start"), node{kind: "complexGateway", id: "oddGateway"}, endEv("end")).chain("start", "oddGateway", "end"))
	_, err := zc.NewDeployResourceCommand().AddResource([]byte(xml), "invalid.bpmn").Send(ctxT(t))
	wantCode(t, err, codes.InvalidArgument, "deploy a complex gateway")
	if !strings.Contains(err.Error(), "oddGateway") {
		t.Errorf("message %q does not name the element oddGateway", err)
	}
	_, err = zc.NewDeployResourceCommand().AddResource([]byte("<not-bpmn"), "broken.bpmn").Send(ctxT(t))
	wantCode(t, err, codes.InvalidArgument, "deploy broken XML")
}

// docs: apis-tools/zeebe-api/gateway-service (EvaluateDecision: DMN is not supported by this engine)
func TestEvaluateDecisionUnimplemented(t *testing.T) {
	parallel(t)
	_, err := gw.EvaluateDecision(ctxT(t), &pb.EvaluateDecisionRequest{DecisionId: "any", Variables: "{}"})
	wantCode(t, err, codes.Unimplemented, "evaluate decision")
}

// docs: apis-tools/zeebe-api/gateway-service (Topology)
func TestTopology(t *testing.T) {
	parallel(t)
	resp, err := zc.NewTopologyCommand().Send(ctxT(t))
	if err != nil {
		t.Fatalf("topology: %v", err)
	}
	if len(resp.Brokers) == 0 || resp.PartitionsCount < 1 || len(resp.Brokers[0].Partitions) == 0 {
		t.Fatalf("topology %+v, want a broker with a partition", resp)
	}
	var rest map[string]any
	if err := doJSON("GET", "http://"+eng.httpAddr+"/v2/topology", nil, &rest); err != nil || rest["brokers"] == nil {
		t.Errorf("GET /v2/topology: %v %v", err, rest)
	}
}
