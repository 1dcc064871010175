package conformance

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/pb"
	"github.com/camunda/zeebe/clients/go/v8/pkg/zbc"
	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
)

// defaultAdminURL is the shared PostgreSQL; each test binary run creates its own database there.
const defaultAdminURL = "postgres://orderfleet:orderfleet@127.0.0.1:15432/postgres"

// The shared engine every behaviour test talks to, set up by TestMain.
var (
	engineBinary string // the built cmd/engine
	workDir      string // temp dir: binary, logs
	adminURL     string
	sharedDB     string // database URL of the shared engine
	eng          *engineProc
	zc           zbc.Client
	gw           pb.GatewayClient
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

// runMain builds the engine, creates the database, starts the engine and tears all of it down;
// every failure to set up ends the run with a non-zero code (never a skip).
func runMain(m *testing.M) int {
	flag.Parse()
	if f := flag.Lookup("test.list"); f != nil && f.Value.String() != "" {
		return m.Run() // listing needs no engine
	}
	for _, name := range []string{"ZEEBE_ADDRESS", "ZEEBE_CLIENT_ID", "ZEEBE_CLIENT_SECRET", "ZEEBE_AUTHORIZATION_SERVER_URL", "ZEEBE_INSECURE_CONNECTION"} {
		os.Unsetenv(name)
	}
	var err error
	workDir, err = os.MkdirTemp("", "engine-conformance-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance: temp dir:", err)
		return 2
	}
	defer os.RemoveAll(workDir)

	if err := buildEngine(); err != nil {
		fmt.Fprintln(os.Stderr, "conformance: building ./cmd/engine failed:", err)
		return 2
	}
	adminURL = os.Getenv("ENGINE_TEST_DATABASE_URL")
	if adminURL == "" {
		adminURL = defaultAdminURL
	}
	dbURL, drop, err := createDatabase("shared")
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance: PostgreSQL is required:", err)
		return 2
	}
	defer drop()
	sharedDB = dbURL

	eng, err = launchEngine(dbURL, "shared")
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance: engine did not start:", err)
		return 2
	}
	defer eng.stop()
	fmt.Fprintf(os.Stderr, "conformance: engine ready within %d ms of start (log %s)\n", eng.readyIn.Milliseconds(), eng.logPath)

	zc, err = zbc.NewClient(&zbc.ClientConfig{GatewayAddress: eng.grpcAddr, UsePlaintextConnection: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance: zeebe client:", err)
		return 2
	}
	defer zc.Close()
	conn, err := grpc.NewClient(eng.grpcAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fmt.Fprintln(os.Stderr, "conformance: grpc client:", err)
		return 2
	}
	defer conn.Close()
	gw = pb.NewGatewayClient(conn)

	// The behaviour tests mostly wait on the engine, so run more of them at once than there are
	// cores, unless -parallel was given.
	parallelSet := false
	flag.Visit(func(f *flag.Flag) { parallelSet = parallelSet || f.Name == "test.parallel" })
	if !parallelSet {
		_ = flag.Set("test.parallel", "16")
	}
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "conformance: engine log tail (%s):\n%s\n", eng.logPath, tailFile(eng.logPath, 40))
	}
	return code
}

func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside the module")
	}
	return filepath.Dir(gomod), nil
}

func buildEngine() error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	engineBinary = filepath.Join(workDir, "engine")
	cmd := exec.Command("go", "build", "-o", engineBinary, "./cmd/engine")
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w\n%s", err, out)
	}
	return nil
}

// createDatabase makes a fresh database named after this branch and returns its URL and a drop func.
func createDatabase(purpose string) (string, func(), error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("connect %s: %w", redact(adminURL), err)
	}
	dropStaleDatabases(ctx, admin)
	name := fmt.Sprintf("eng_conformance_%s_%d_%s", purpose, os.Getpid(), randHex(3))
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close(ctx)
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	admin.Close(ctx)
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, adminURL)
		if err != nil {
			fmt.Fprintln(os.Stderr, "conformance: drop database:", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintln(os.Stderr, "conformance: drop database", name+":", err)
		}
	}
	return withDatabase(adminURL, name), drop, nil
}

// dropStaleDatabases drops this suite's databases whose test process is gone (a run killed by a
// timeout never drops its own). Only names this suite makes are touched.
func dropStaleDatabases(ctx context.Context, admin *pgx.Conn) {
	rows, err := admin.Query(ctx, `SELECT datname FROM pg_database WHERE datname LIKE 'eng\_conformance\_%'`)
	if err != nil {
		return
	}
	names, _ := pgx.CollectRows(rows, pgx.RowTo[string])
	for _, name := range names {
		parts := strings.Split(name, "_")
		if len(parts) != 5 {
			continue
		}
		pid, err := strconv.Atoi(parts[3])
		if err != nil || pid == os.Getpid() || syscall.Kill(pid, 0) == nil {
			continue // ours, or its process still runs
		}
		_, _ = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	}
}

// withDatabase swaps the database name in a postgres:// URL.
func withDatabase(url, name string) string {
	q := ""
	if i := strings.Index(url, "?"); i >= 0 {
		url, q = url[:i], url[i:]
	}
	i := strings.LastIndex(url, "/")
	return url[:i+1] + name + q
}

func redact(url string) string {
	if i := strings.Index(url, "@"); i >= 0 {
		if j := strings.Index(url, "://"); j >= 0 && j < i {
			return url[:j+3] + "…" + url[i:]
		}
	}
	return url
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// engineProc is one running engine binary.
type engineProc struct {
	cmd      *exec.Cmd
	dbURL    string
	grpcAddr string
	httpAddr string
	mgmtAddr string
	logPath  string
	readyIn  time.Duration
	exited   chan struct{}
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

var engineSeq atomic.Int64

// launchEngine starts the binary with free ports and --clock-controlled and waits for /readyz.
func launchEngine(dbURL, label string, extraArgs ...string) (*engineProc, error) {
	p := &engineProc{dbURL: dbURL}
	var err error
	for _, a := range []*string{&p.grpcAddr, &p.httpAddr, &p.mgmtAddr} {
		if *a, err = freeAddr(); err != nil {
			return nil, err
		}
	}
	return p.launch(label, extraArgs...)
}

// relaunch starts a new engine process on the same database and addresses as p (after a kill),
// so clients reconnect to it.
func (p *engineProc) relaunch(label string) (*engineProc, error) {
	q := &engineProc{dbURL: p.dbURL, grpcAddr: p.grpcAddr, httpAddr: p.httpAddr, mgmtAddr: p.mgmtAddr}
	return q.launch(label)
}

func (p *engineProc) launch(label string, extraArgs ...string) (*engineProc, error) {
	var err error
	p.exited = make(chan struct{})
	p.logPath = filepath.Join(workDir, fmt.Sprintf("engine-%s-%d.log", label, engineSeq.Add(1)))
	logFile, err := os.Create(p.logPath)
	if err != nil {
		return nil, err
	}
	args := append([]string{
		"--database-url", p.dbURL,
		"--grpc-addr", p.grpcAddr,
		"--http-addr", p.httpAddr,
		"--management-addr", p.mgmtAddr,
		"--clock-controlled",
	}, extraArgs...)
	p.cmd = exec.Command(engineBinary, args...)
	// The engine dies with the test binary, even when the binary is killed by a timeout.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	p.cmd.Stdout = logFile
	p.cmd.Stderr = logFile
	p.cmd.Env = append(os.Environ(), "ENGINE_LOG_LEVEL=info")
	start := time.Now()
	if err := p.cmd.Start(); err != nil {
		logFile.Close()
		return nil, err
	}
	go func() { _ = p.cmd.Wait(); logFile.Close(); close(p.exited) }()
	if err := p.waitReady(30 * time.Second); err != nil {
		p.kill()
		return nil, fmt.Errorf("%w; log tail:\n%s", err, tailFile(p.logPath, 30))
	}
	p.readyIn = time.Since(start)
	return p, nil
}

func (p *engineProc) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return fmt.Errorf("engine exited before /readyz: %v", p.cmd.ProcessState)
		default:
		}
		resp, err := client.Get("http://" + p.mgmtAddr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("/readyz on %s not 200 within %s", p.mgmtAddr, limit)
}

// kill sends SIGKILL (a crash) and waits for the process to be gone.
func (p *engineProc) kill() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-p.exited
}

// stop asks for a graceful shutdown and kills after 15 s.
func (p *engineProc) stop() {
	if p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(15 * time.Second):
		p.kill()
	}
}

// rssKiB reads VmRSS of the engine process.
func (p *engineProc) rssKiB() int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				n, _ := strconv.ParseInt(f[1], 10, 64)
				return n
			}
		}
	}
	return -1
}

func tailFile(path string, lines int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	all := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}

// startEngine is the crash tests' helper: a fresh engine process on dbURL, stopped at test end.
func startEngine(t testing.TB, dbURL string) *engineProc {
	t.Helper()
	p, err := launchEngine(dbURL, strings.ReplaceAll(t.Name(), "/", "_"))
	if err != nil {
		t.Fatalf("start engine: %v", err)
	}
	t.Cleanup(p.kill)
	return p
}

// ---- unique names ----

var uniqSeq atomic.Int64

// uniq returns a name no other test uses: valid as a BPMN id, job type, message name.
func uniq(prefix string) string {
	return fmt.Sprintf("%s-%d-%s", prefix, uniqSeq.Add(1), randHex(3))
}

// ---- HTTP ----

type httpError struct {
	status int
	body   string
}

func (e *httpError) Error() string { return fmt.Sprintf("HTTP %d: %s", e.status, e.body) }

// doJSON sends body as JSON and decodes a JSON answer into out (when not nil).
func doJSON(method, url string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return &httpError{status: resp.StatusCode, body: string(data)}
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("decode %s %s answer %q: %w", method, url, data, err)
		}
	}
	return nil
}

// ---- clock (management port) ----

func clockNow(t testing.TB) time.Time { return clockNowOn(t, eng) }

func clockNowOn(t testing.TB, p *engineProc) time.Time {
	t.Helper()
	var out struct {
		EpochMilli int64 `json:"epochMilli"`
	}
	if err := doJSON("GET", "http://"+p.mgmtAddr+"/actuator/clock", nil, &out); err != nil {
		t.Fatalf("GET /actuator/clock: %v", err)
	}
	return time.UnixMilli(out.EpochMilli)
}

// clockAdd moves the shared engine's clock forward.
func clockAdd(t testing.TB, d time.Duration) { clockAddOn(t, eng, d) }

func clockAddOn(t testing.TB, p *engineProc, d time.Duration) {
	t.Helper()
	if err := doJSON("POST", "http://"+p.mgmtAddr+"/actuator/clock/add", map[string]int64{"offsetMilli": d.Milliseconds()}, nil); err != nil {
		t.Fatalf("POST /actuator/clock/add %s: %v", d, err)
	}
}

func clockPin(t testing.TB, at time.Time) {
	t.Helper()
	if err := doJSON("POST", "http://"+eng.mgmtAddr+"/actuator/clock/pin", map[string]int64{"epochMilli": at.UnixMilli()}, nil); err != nil {
		t.Fatalf("POST /actuator/clock/pin: %v", err)
	}
}

func clockReset(t testing.TB) {
	t.Helper()
	if err := doJSON("DELETE", "http://"+eng.mgmtAddr+"/actuator/clock", nil, nil); err != nil {
		t.Fatalf("DELETE /actuator/clock: %v", err)
	}
}

// clockTest marks a test that moves the engine clock. Such tests never call t.Parallel, so Go runs
// them one after another before any parallel test starts: no parallel test sees the clock jump.
// The clock is reset when the test ends.
func clockTest(t *testing.T) {
	t.Helper()
	t.Cleanup(func() { clockReset(t) })
}

// parallel marks a test that depends only on its own unique names (and wall-clock timeouts).
func parallel(t *testing.T) { t.Parallel() }

// ---- read API ----

// flexKey accepts a key written as a JSON string (REST v2) or a number.
type flexKey int64

func (k *flexKey) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" || s == "" {
		*k = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("key %s: %w", b, err)
	}
	*k = flexKey(n)
	return nil
}

type instanceItem struct {
	ProcessInstanceKey       flexKey `json:"processInstanceKey"`
	ProcessDefinitionID      string  `json:"processDefinitionId"`
	ProcessDefinitionKey     flexKey `json:"processDefinitionKey"`
	ProcessDefinitionVersion int     `json:"processDefinitionVersion"`
	State                    string  `json:"state"`
	HasIncident              bool    `json:"hasIncident"`
	ParentProcessInstanceKey flexKey `json:"parentProcessInstanceKey"`
}

type incidentItem struct {
	IncidentKey        flexKey `json:"incidentKey"`
	ProcessInstanceKey flexKey `json:"processInstanceKey"`
	ElementID          string  `json:"elementId"`
	ElementInstanceKey flexKey `json:"elementInstanceKey"`
	ErrorType          string  `json:"errorType"`
	ErrorMessage       string  `json:"errorMessage"`
	State              string  `json:"state"`
	JobKey             flexKey `json:"jobKey"`
}

type elementItem struct {
	ElementInstanceKey flexKey `json:"elementInstanceKey"`
	ProcessInstanceKey flexKey `json:"processInstanceKey"`
	ElementID          string  `json:"elementId"`
	Type               string  `json:"type"`
	State              string  `json:"state"`
}

type variableItem struct {
	Name     string  `json:"name"`
	Value    string  `json:"value"`
	ScopeKey flexKey `json:"scopeKey"`
}

type jobItem struct {
	JobKey       flexKey `json:"jobKey"`
	Type         string  `json:"type"`
	State        string  `json:"state"`
	Retries      int     `json:"retries"`
	Worker       string  `json:"worker"`
	ElementID    string  `json:"elementId"`
	ErrorMessage string  `json:"errorMessage"`
}

// search posts a v2 search to the shared engine and returns its items.
func search[T any](t testing.TB, route string, filter map[string]any) []T {
	t.Helper()
	items, _ := searchOn[T](t, eng, route, filter, 1000)
	return items
}

// searchOn posts a v2 search to engine p and returns its items and totalItems.
func searchOn[T any](t testing.TB, p *engineProc, route string, filter map[string]any, limit int) ([]T, int) {
	t.Helper()
	var out struct {
		Items []T `json:"items"`
		Page  struct {
			TotalItems int `json:"totalItems"`
		} `json:"page"`
	}
	body := map[string]any{"filter": filter, "page": map[string]int{"from": 0, "limit": limit}}
	if err := doJSON("POST", "http://"+p.httpAddr+route, body, &out); err != nil {
		t.Fatalf("POST %s %v: %v", route, filter, err)
	}
	return out.Items, out.Page.TotalItems
}

func getInstance(t testing.TB, key int64) (instanceItem, bool) {
	t.Helper()
	var it instanceItem
	err := doJSON("GET", fmt.Sprintf("http://%s/v2/process-instances/%d", eng.httpAddr, key), nil, &it)
	var he *httpError
	if errors.As(err, &he) && he.status == 404 {
		return it, false
	}
	if err != nil {
		t.Fatalf("GET /v2/process-instances/%d: %v", key, err)
	}
	return it, true
}

func incidentsOf(t testing.TB, piKey int64) []incidentItem {
	return search[incidentItem](t, "/v2/incidents/search", map[string]any{"processInstanceKey": strconv.FormatInt(piKey, 10)})
}

func activeIncidentsOf(t testing.TB, piKey int64) []incidentItem {
	return search[incidentItem](t, "/v2/incidents/search", map[string]any{"processInstanceKey": strconv.FormatInt(piKey, 10), "state": "ACTIVE"})
}

func elementsOf(t testing.TB, piKey int64, elementID string) []elementItem {
	f := map[string]any{"processInstanceKey": strconv.FormatInt(piKey, 10)}
	if elementID != "" {
		f["elementId"] = elementID
	}
	return search[elementItem](t, "/v2/element-instances/search", f)
}

// rootVariables reads the instance's root-scope variables (scopeKey = instance key) as JSON text.
func rootVariables(t testing.TB, piKey int64) map[string]string {
	items := search[variableItem](t, "/v2/variables/search", map[string]any{"processInstanceKey": strconv.FormatInt(piKey, 10), "scopeKey": strconv.FormatInt(piKey, 10)})
	out := map[string]string{}
	for _, v := range items {
		out[v.Name] = v.Value
	}
	return out
}

// eventually polls cond until it is true or the limit passes.
func eventually(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		if cond() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not within %s: %s", limit, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// waitState waits for the instance to reach state (COMPLETED, TERMINATED, ACTIVE).
func waitState(t testing.TB, piKey int64, state string) {
	t.Helper()
	last := ""
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if it, ok := getInstance(t, piKey); ok {
			last = it.State
			if it.State == state {
				return
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("instance %d not %s within 10s (last state %q)", piKey, state, last)
}

// waitIncident waits for an active incident of errorType on the instance.
func waitIncident(t testing.TB, piKey int64, errorType string) incidentItem {
	t.Helper()
	var found incidentItem
	var seen []incidentItem
	eventually(t, 10*time.Second, fmt.Sprintf("active %s incident on %d (seen %+v)", errorType, piKey, seen), func() bool {
		seen = activeIncidentsOf(t, piKey)
		for _, in := range seen {
			if in.ErrorType == errorType {
				found = in
				return true
			}
		}
		return false
	})
	return found
}

// ---- gRPC helpers ----

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func code(err error) codes.Code { return status.Code(err) }

func wantCode(t testing.TB, err error, want codes.Code, what string) {
	t.Helper()
	if code(err) != want {
		t.Fatalf("%s: want %s, got %v", what, want, err)
	}
}

// deploy deploys one BPMN resource and returns its process definition.
func deploy(t testing.TB, xml string) *pb.ProcessMetadata {
	t.Helper()
	resp, err := zc.NewDeployResourceCommand().AddResource([]byte(xml), "test.bpmn").Send(ctxT(t))
	if err != nil {
		t.Fatalf("deploy: %v\n%s", err, xml)
	}
	for _, d := range resp.GetDeployments() {
		if p := d.GetProcess(); p != nil {
			return p
		}
	}
	t.Fatalf("deploy answered no process: %v", resp)
	return nil
}

// start creates an instance of the latest version of processID with vars.
func start(t testing.TB, processID string, vars map[string]any) int64 {
	t.Helper()
	if vars == nil {
		vars = map[string]any{}
	}
	cmd, err := zc.NewCreateInstanceCommand().BPMNProcessId(processID).LatestVersion().VariablesFromMap(vars)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := cmd.Send(ctxT(t))
	if err != nil {
		t.Fatalf("create instance of %s: %v", processID, err)
	}
	return resp.GetProcessInstanceKey()
}

// deployStart deploys xml and starts one instance of processID.
func deployStart(t testing.TB, xml, processID string, vars map[string]any) int64 {
	t.Helper()
	deploy(t, xml)
	return start(t, processID, vars)
}

// activate asks once (requestTimeout given, -1: no long polling) for up to max jobs.
func activate(t testing.TB, jobType string, max int32, timeout, requestTimeout time.Duration, fetch ...string) []*pb.ActivatedJob {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout+10*time.Second)
	defer cancel()
	rt := requestTimeout.Milliseconds()
	if requestTimeout < 0 {
		rt = -1
	}
	stream, err := gw.ActivateJobs(ctx, &pb.ActivateJobsRequest{Type: jobType, Worker: "conformance", Timeout: timeout.Milliseconds(), MaxJobsToActivate: max, FetchVariable: fetch, RequestTimeout: rt})
	if err != nil {
		t.Fatalf("activate %s: %v", jobType, err)
	}
	var jobs []*pb.ActivatedJob
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return jobs
		}
		if err != nil {
			t.Fatalf("activate %s: %v", jobType, err)
		}
		jobs = append(jobs, resp.GetJobs()...)
	}
}

// activateNone asks without long polling and returns what it got (tests expect none).
func activateNow(t testing.TB, jobType string) []*pb.ActivatedJob {
	t.Helper()
	return activate(t, jobType, 10, 5*time.Minute, -1)
}

// waitJob long-polls until one job of jobType is activated (timeout 5 min).
func waitJob(t testing.TB, jobType string) *pb.ActivatedJob {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if jobs := activate(t, jobType, 1, 5*time.Minute, 2*time.Second); len(jobs) > 0 {
			return jobs[0]
		}
	}
	t.Fatalf("no job of type %s within 10s", jobType)
	return nil
}

// noJob asserts that no job of jobType becomes activatable within a short while.
func noJob(t testing.TB, jobType string, within time.Duration) {
	t.Helper()
	if jobs := activate(t, jobType, 10, 5*time.Minute, within); len(jobs) > 0 {
		t.Fatalf("unexpected job of type %s: %v", jobType, jobs[0])
	}
}

func jsonText(t testing.TB, v any) string {
	t.Helper()
	if m, ok := v.(map[string]any); v == nil || ok && m == nil {
		return "{}"
	}
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func complete(t testing.TB, jobKey int64, vars map[string]any) {
	t.Helper()
	if _, err := gw.CompleteJob(ctxT(t), &pb.CompleteJobRequest{JobKey: jobKey, Variables: jsonText(t, vars)}); err != nil {
		t.Fatalf("complete job %d: %v", jobKey, err)
	}
}

func completeErr(t testing.TB, jobKey int64) error {
	_, err := gw.CompleteJob(ctxT(t), &pb.CompleteJobRequest{JobKey: jobKey, Variables: "{}"})
	return err
}

// completeNext waits for a job of jobType and completes it with vars; returns the job.
func completeNext(t testing.TB, jobType string, vars map[string]any) *pb.ActivatedJob {
	t.Helper()
	j := waitJob(t, jobType)
	complete(t, j.Key, vars)
	return j
}

func publish(t testing.TB, name, key string, ttl time.Duration, vars map[string]any) {
	t.Helper()
	_, err := gw.PublishMessage(ctxT(t), &pb.PublishMessageRequest{Name: name, CorrelationKey: key, TimeToLive: ttl.Milliseconds(), Variables: jsonText(t, vars)})
	if err != nil {
		t.Fatalf("publish %s/%s: %v", name, key, err)
	}
}

// jobVars decodes a job's variables with numbers kept exact.
func jobVars(t testing.TB, j *pb.ActivatedJob) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(j.GetVariables()))
	d.UseNumber()
	m := map[string]any{}
	if err := d.Decode(&m); err != nil {
		t.Fatalf("job %d variables %q: %v", j.Key, j.GetVariables(), err)
	}
	return m
}

// varJSON renders one job variable as compact JSON for comparisons.
func varJSON(t testing.TB, j *pb.ActivatedJob, name string) string {
	t.Helper()
	v, ok := jobVars(t, j)[name]
	if !ok {
		return "<missing>"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
