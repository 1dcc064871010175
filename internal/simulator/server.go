package simulator

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/orderfleet/orderfleet/internal/callback"
)

// Config configures a simulator.
type Config struct {
	Rules   []Rule           // start-up scenarios, over the catalog defaults
	Secrets callback.Secrets // tenant → secret, to sign callbacks like a real partner
	// CallbackBaseURL is the OMS API, used when a request carries no callbackUrl.
	CallbackBaseURL  string
	CallbackAttempts int           // deliveries of one callback before giving up
	CallbackBackoff  time.Duration // first pause between deliveries, doubling up to 5s
	Client           *http.Client  // for callbacks
	Now              func() time.Time
}

func (c *Config) setDefaults() {
	if c.CallbackAttempts <= 0 {
		c.CallbackAttempts = 5
	}
	if c.CallbackBackoff <= 0 {
		c.CallbackBackoff = 200 * time.Millisecond
	}
	if c.Client == nil {
		c.Client = &http.Client{}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Validate reports unusable settings.
func (c Config) Validate() error {
	if c.CallbackBaseURL != "" {
		if u, err := url.Parse(c.CallbackBaseURL); err != nil || u.Scheme == "" || u.Host == "" {
			return errors.New("simulator: callback base URL is not an absolute URL")
		}
	}
	return c.Secrets.Validate()
}

// Simulator is the HTTP server playing every external system. Routes:
//
//	POST   /systems/{system}/operations/{operation}          the partner API (adapter.HTTPCaller)
//	GET    /scenarios                                        rules in force
//	PUT    /scenarios/{system}/{operation}                   global rule ("*" matches any)
//	PUT    /orders/{orderId}/scenarios/{system}/{operation}  rule for one order
//	PUT    /tasks/{taskId}/scenarios/{system}/{operation}    rule for one task
//	DELETE /orders/{orderId}/scenarios, /tasks/{taskId}/scenarios   drop those rules
//	POST   /scenarios/reset                                  back to the start-up rules
//	GET    /ledger?orderId=&taskId=&idempotencyKey=&system=&operation=
//	DELETE /ledger?orderId=...                               forget entries
//	POST   /callbacks/deliver                                (re)deliver a key's callback now
type Simulator struct {
	cfg     Config
	rules   *rulebook
	ledger  *ledger
	log     *zap.Logger
	metrics *metrics
	mux     *http.ServeMux
	ctx     context.Context // ends at Close: stops pending callbacks and hanging requests
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	closeMu sync.Mutex
	closed  bool // no callback is scheduled after Close started waiting
}

// New builds a simulator and registers its metrics on reg.
func New(cfg Config, log *zap.Logger, reg prometheus.Registerer) (*Simulator, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	for i := range cfg.Rules {
		if err := cfg.Rules[i].normalize(); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Simulator{cfg: cfg, rules: newRulebook(cfg.Rules), ledger: newLedger(), log: log, metrics: newMetrics(reg),
		mux: http.NewServeMux(), ctx: ctx, cancel: cancel}
	s.routes()
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close cancels pending callbacks, releases hanging requests and waits for deliveries in flight.
func (s *Simulator) Close() {
	s.closeMu.Lock()
	s.closed = true
	s.closeMu.Unlock()
	s.cancel()
	s.wg.Wait()
}

// track counts a background delivery; false once Close has begun.
func (s *Simulator) track() bool {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	return true
}

type metrics struct {
	requests  *prometheus.CounterVec
	callbacks *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adapter_simulator_requests_total",
			Help: "Partner requests answered by the simulator, by system, operation and answer.",
		}, []string{"system", "operation", "answer"}),
		callbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "adapter_simulator_callbacks_total",
			Help: "Callback deliveries attempted by the simulator, by system and result.",
		}, []string{"system", "result"}),
	}
	reg.MustRegister(m.requests, m.callbacks)
	return m
}
