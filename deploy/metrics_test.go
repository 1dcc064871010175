package deploy

import (
	"regexp"
	"sort"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/callback"
	"github.com/orderfleet/orderfleet/internal/correlation"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/fulfillment"
	"github.com/orderfleet/orderfleet/internal/httpapi"
	"github.com/orderfleet/orderfleet/internal/manualtask"
	"github.com/orderfleet/orderfleet/internal/omsgauges"
	"github.com/orderfleet/orderfleet/internal/outbox"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/simulator"
	"github.com/orderfleet/orderfleet/internal/startrelay"
	"github.com/orderfleet/orderfleet/internal/telemetry"
	"github.com/orderfleet/orderfleet/internal/worker"
)

// recorder is a prometheus.Registerer that keeps what a component registers. Names are read from
// the descriptors because an empty vector has no series yet, so Gather would not show it.
type recorder struct{ collectors []prometheus.Collector }

func (r *recorder) Register(c prometheus.Collector) error {
	r.collectors = append(r.collectors, c)
	return nil
}
func (r *recorder) MustRegister(cs ...prometheus.Collector) {
	r.collectors = append(r.collectors, cs...)
}
func (r *recorder) Unregister(prometheus.Collector) bool { return false }

var descName = regexp.MustCompile(`fqName: "([^"]+)"`)

// names lists the series names a scrape can show: a histogram adds _bucket, _sum and _count.
func (r *recorder) names() []string {
	var out []string
	for _, c := range r.collectors {
		ch := make(chan *prometheus.Desc, 64)
		c.Describe(ch)
		close(ch)
		for d := range ch {
			m := descName.FindStringSubmatch(d.String())
			if m == nil {
				continue
			}
			switch c.(type) {
			case prometheus.Histogram, *prometheus.HistogramVec:
				out = append(out, m[1]+"_bucket", m[1]+"_sum", m[1]+"_count")
			case prometheus.Summary, *prometheus.SummaryVec:
				out = append(out, m[1], m[1]+"_sum", m[1]+"_count")
			default:
				out = append(out, m[1])
			}
		}
	}
	return out
}

// exportedMetrics builds every component of every binary through the constructors the binaries
// call, on recorders, and returns metric name → the binaries that export it. A metric added to the
// code appears here without anyone editing a list.
func exportedMetrics(t *testing.T) map[string][]string {
	t.Helper()
	log := zap.NewNop()
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	workers := func(reg prometheus.Registerer) {
		svc := fulfillment.NewService(postgres.New(nil), nil, log, reg)
		must(worker.New(worker.Config{WorkerName: "metrics-test"}, nil, log, reg, svc.Registrations()...))
	}
	components := map[string]func(reg prometheus.Registerer){
		"worker binaries": workers,
		"manual-task": func(reg prometheus.Registerer) {
			workers(reg)
			manualtask.NewReleaser(nil, nil, log, reg, 0)
		},
		"workflow-start-relay": func(reg prometheus.Registerer) { startrelay.New(startrelay.Config{}, nil, nil, log, reg) },
		"outbox-relay":         func(reg prometheus.Registerer) { must(outbox.New(outbox.Config{}, nil, nil, log, reg)) },
		"correlation-router": func(reg prometheus.Registerer) {
			must(correlation.New(correlation.Config{}, nil, nil, nil, log, reg))
		},
		"oms-api": func(reg prometheus.Registerer) {
			st, _ := httpapi.NewSettings()
			st.Tokens = "metrics-test-token-0001=tenant-metrics"
			st.Callback.Secrets = "tenant-metrics=metrics-test-secret-0001"
			cfg, err := st.Config()
			must(nil, err)
			cbCfg, err := st.Callback.Config()
			must(nil, err)
			catalog, err := domain.LoadCatalog()
			must(nil, err)
			cb, err := callback.New(cbCfg, postgres.New(nil), log, reg)
			must(nil, err)
			must(httpapi.New(cfg, postgres.New(nil), catalog, log, reg, cb))
			reg.MustRegister(omsgauges.New(nil, omsgauges.Config{}))
		},
		"adapter-simulator": func(reg prometheus.Registerer) { must(simulator.New(simulator.Config{}, log, reg)) },
	}
	out := map[string][]string{}
	add := func(name, binary string) {
		for _, b := range out[name] {
			if b == binary {
				return
			}
		}
		out[name] = append(out[name], binary)
	}
	for binary, build := range components {
		rec := &recorder{}
		build(rec)
		for _, n := range rec.names() {
			add(n, binary)
		}
	}
	// Every binary's registry also carries the Go runtime and process collectors; they have series
	// at once, so Gather gives their exact names.
	families, err := telemetry.NewRegistry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		add(f.GetName(), "every binary")
	}
	return out
}

// The seed's metrics (001 §26) must all be exported by some binary, under exactly these names.
func TestSeedMetricsAreExported(t *testing.T) {
	exported := exportedMetrics(t)
	seed := []string{
		"fulfillment_process_started_total", "fulfillment_process_completed_total", "fulfillment_process_fallout_total",
		"fulfillment_task_started_total", "fulfillment_task_completed_total", "fulfillment_task_failed_total",
		"fulfillment_task_timeout_total", "fulfillment_task_retry_total",
		"fulfillment_external_callback_received_total", "fulfillment_external_callback_duplicate_total",
		"fulfillment_compensation_started_total", "fulfillment_compensation_failed_total",
		"order_completion_duration_seconds_bucket", "worker_incident_total",
	}
	for _, name := range seed {
		if len(exported[name]) == 0 {
			t.Errorf("seed metric %s is exported by no binary", name)
		}
	}
	if testing.Verbose() {
		var all []string
		for n := range exported {
			all = append(all, n)
		}
		sort.Strings(all)
		t.Logf("%d exported series names", len(all))
	}
}
