package fleetbench

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orderfleet/orderfleet/internal/app"
	"github.com/orderfleet/orderfleet/internal/domain"
	"github.com/orderfleet/orderfleet/internal/omsclient"
	"github.com/orderfleet/orderfleet/internal/postgres"
	"github.com/orderfleet/orderfleet/internal/zeebe"
)

// Run with -benchtime=1x: one fixed scenario that prints its own figures.
const (
	syncOrders   = 120 // CLOUD_BACKUP: three synchronous tasks in a chain, nine jobs
	mixedOrders  = 60  // half CLOUD_BACKUP, half HOME_ROUTER (an asynchronous carrier, then two sync tasks)
	burstClients = 8   // orders started at once in the throughput phases
	arrivalEvery = 100 * time.Millisecond
	arrivalFor   = 20 * time.Second
	tasksPerSync = 3

	targetRatio      = 0.8
	targetP99        = 500 * time.Millisecond
	targetStatements = 4.0
)

// phase is one measured batch with the statements it cost.
type phase struct {
	batch
	tasks, jobs int
	statements  statementCounts
	top         map[string][]string
}

// BenchmarkFleetBesideEngine runs the same orders through the full fleet and through the bare
// engine with stub workers, in the same run and stack, and prints each fleet figure beside its
// bare-engine baseline.
func BenchmarkFleetBesideEngine(b *testing.B) {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	databaseURL := envOr("ORDERFLEET_DATABASE_URL", app.DefaultDatabaseURL)
	zeebeAddress := envOr("ORDERFLEET_ZEEBE_ADDRESS", "127.0.0.1:26500")
	if err := postgres.Migrate(ctx, databaseURL); err != nil {
		b.Fatalf("migrate: %v", err)
	}
	if _, err := app.DeployBPMN(ctx, zeebeAddress); err != nil {
		b.Fatalf("deploy BPMN: %v", err)
	}
	omsDB, err := app.OpenDB(ctx, databaseURL)
	if err != nil {
		b.Fatal(err)
	}
	defer omsDB.Close()
	engineDB, err := pgxpool.New(ctx, engineDatabaseURL(b, databaseURL))
	if err != nil {
		b.Fatal(err)
	}
	defer engineDB.Close()
	if err := enableStatements(ctx, omsDB); err != nil {
		b.Fatal(err)
	}
	cat, err := domain.LoadCatalog()
	if err != nil {
		b.Fatal(err)
	}
	rounds := map[string][]readyTask{}
	for _, p := range []string{"CLOUD_BACKUP", "HOME_ROUTER"} {
		if rounds[p], err = productRounds(cat, p); err != nil {
			b.Fatal(err)
		}
	}
	if len(rounds["CLOUD_BACKUP"]) != tasksPerSync || asyncTasks(rounds["CLOUD_BACKUP"]) != 0 || asyncTasks(rounds["HOME_ROUTER"]) != 1 {
		b.Fatalf("catalog changed: CLOUD_BACKUP %+v, HOME_ROUTER %+v", rounds["CLOUD_BACKUP"], rounds["HOME_ROUTER"])
	}
	mixed := repeat(mixedOrders, "CLOUD_BACKUP", "HOME_ROUTER")
	mixedTasks := len(mixed) / 2 * (len(rounds["CLOUD_BACKUP"]) + len(rounds["HOME_ROUTER"]))

	measure := func(s side, warm bool, tasks int, run func() (batch, error)) phase {
		b.Helper()
		if warm { // connections, caches and the first jobs' long polls, not counted
			if _, err := runBurst(ctx, s, repeat(10, "CLOUD_BACKUP"), burstClients); err != nil {
				b.Fatal(err)
			}
		}
		if err := resetStatements(ctx, omsDB); err != nil {
			b.Fatal(err)
		}
		r, err := run()
		if err != nil {
			b.Fatal(err)
		}
		p := phase{batch: r, tasks: tasks, top: map[string][]string{}}
		if p.statements, err = readStatements(ctx, omsDB); err != nil {
			b.Fatal(err)
		}
		for _, db := range []string{"orderfleet", "engine"} {
			if p.top[db], err = topStatements(ctx, omsDB, db, 8); err != nil {
				b.Fatal(err)
			}
		}
		keys, err := s.instanceKeys(ctx, r.ids)
		if err == nil {
			err = engineDB.QueryRow(ctx, ownQuery+`select count(*) from job where process_instance_key = any($1)`, keys).Scan(&p.jobs)
		}
		if err != nil {
			b.Fatal(err)
		}
		return p
	}

	f := startFleet(b)
	fleet := fleetSide{api: omsclient.New("http://"+apiAddr, benchToken), db: omsDB}
	fleetSync := measure(fleet, true, syncOrders*tasksPerSync, func() (batch, error) {
		return runBurst(ctx, fleet, repeat(syncOrders, "CLOUD_BACKUP"), burstClients)
	})
	fleetMixed := measure(fleet, false, mixedTasks, func() (batch, error) { return runBurst(ctx, fleet, mixed, burstClients) })
	fleetLatency := measure(fleet, false, int(arrivalFor/arrivalEvery)*tasksPerSync, func() (batch, error) {
		return runArrivals(ctx, fleet, "CLOUD_BACKUP", arrivalEvery, arrivalFor)
	})
	if b.Failed() {
		b.Log(f.output())
	}
	f.stop(b)

	engine, err := zeebe.Dial(ctx, zeebeAddress)
	if err != nil {
		b.Fatal(err)
	}
	defer engine.Close()
	stubs := newStubFleet(engine)
	defer stubs.close()
	bare := bareSide{engine: engine, stubs: stubs, db: engineDB, rounds: rounds}
	bareSync := measure(bare, true, syncOrders*tasksPerSync, func() (batch, error) {
		return runBurst(ctx, bare, repeat(syncOrders, "CLOUD_BACKUP"), burstClients)
	})
	bareMixed := measure(bare, false, mixedTasks, func() (batch, error) { return runBurst(ctx, bare, mixed, burstClients) })
	bareLatency := measure(bare, false, int(arrivalFor/arrivalEvery)*tasksPerSync, func() (batch, error) {
		return runArrivals(ctx, bare, "CLOUD_BACKUP", arrivalEvery, arrivalFor)
	})
	select {
	case err := <-stubs.errs:
		b.Fatalf("stub workers: %v", err)
	default:
	}

	report(fleetSync, bareSync, fleetMixed, bareMixed, fleetLatency, bareLatency)
	b.ReportMetric(fleetSync.rate(), "fleet_orders/s")
	b.ReportMetric(bareSync.rate(), "bare_orders/s")
	b.ReportMetric(fleetSync.rate()/bareSync.rate(), "fleet/bare")
	b.ReportMetric(float64(fleetLatency.percentile(0.99).Milliseconds()), "fleet_p99_ms")
	b.ReportMetric(perTask(fleetSync, "orderfleet", "engine"), "fleet_stmts/task")
}

func perTask(p phase, databases ...string) float64 {
	var n int64
	for _, db := range databases {
		n += p.statements.all[db]
	}
	return float64(n) / float64(p.tasks)
}

func report(fleetSync, bareSync, fleetMixed, bareMixed, fleetLatency, bareLatency phase) {
	mark := func(ok bool) string {
		if ok {
			return "met"
		}
		return "MISSED"
	}
	ratio := fleetSync.rate() / bareSync.rate()
	fmt.Printf("\nfleet benchmark (figures from a shared 2-core machine: noisy)\n")
	fmt.Printf("throughput, %d CLOUD_BACKUP orders (3 sync tasks, %d jobs each), %d started at once:\n", syncOrders, fleetSync.jobs/syncOrders, burstClients)
	fmt.Printf("  fleet %.1f orders/s, bare engine %.1f orders/s, fleet/bare %.2f (target >= %.1f: %s)\n",
		fleetSync.rate(), bareSync.rate(), ratio, targetRatio, mark(ratio >= targetRatio))
	fmt.Printf("throughput, %d mixed orders (half HOME_ROUTER: async carrier answering after 200 ms, then 2 sync tasks):\n", mixedOrders)
	fmt.Printf("  fleet %.1f orders/s, bare engine %.1f orders/s, fleet/bare %.2f\n",
		fleetMixed.rate(), bareMixed.rate(), fleetMixed.rate()/bareMixed.rate())
	p99 := fleetLatency.percentile(0.99)
	fmt.Printf("latency accept → COMPLETED, CLOUD_BACKUP at %.0f orders/s for %s (%d orders):\n", float64(time.Second/arrivalEvery), arrivalFor, len(fleetLatency.ids))
	fmt.Printf("  fleet p50 %d ms, p99 %d ms (target p99 < %d ms: %s); bare engine p50 %d ms, p99 %d ms; fleet/bare p50 %.1fx, p99 %.1fx\n",
		fleetLatency.percentile(0.5).Milliseconds(), p99.Milliseconds(), targetP99.Milliseconds(), mark(p99 < targetP99),
		bareLatency.percentile(0.5).Milliseconds(), bareLatency.percentile(0.99).Milliseconds(),
		float64(fleetLatency.percentile(0.5))/float64(bareLatency.percentile(0.5)), float64(p99)/float64(bareLatency.percentile(0.99)))
	if arrivals := float64(time.Second / arrivalEvery); fleetSync.rate() < arrivals {
		fmt.Printf("  the fleet's burst rate (%.1f orders/s) is under the arrival rate: orders queue, so its latency is mostly waiting\n", fleetSync.rate())
	}
	fmt.Printf("SQL statements per executed task (pg_stat_statements calls, BEGIN/COMMIT included; data statements in brackets):\n")
	for _, row := range []struct {
		name        string
		fleet, bare phase
	}{{"sync burst", fleetSync, bareSync}, {"mixed burst", fleetMixed, bareMixed}, {"10/s arrivals", fleetLatency, bareLatency}} {
		f, e := row.fleet.statements, row.bare.statements
		total := perTask(row.fleet, "orderfleet", "engine")
		fmt.Printf("  %-13s fleet %.1f [%.1f] = OMS db %.1f [%.1f] + engine db %.1f [%.1f] (target <= %.0f: %s); bare engine db %.1f [%.1f]; fleet/bare %.1fx; per job: fleet %.1f, bare %.1f\n",
			row.name, total, float64(f.data["orderfleet"]+f.data["engine"])/float64(row.fleet.tasks),
			float64(f.all["orderfleet"])/float64(row.fleet.tasks), float64(f.data["orderfleet"])/float64(row.fleet.tasks),
			float64(f.all["engine"])/float64(row.fleet.tasks), float64(f.data["engine"])/float64(row.fleet.tasks),
			targetStatements, mark(total <= targetStatements),
			perTask(row.bare, "engine"), float64(e.data["engine"])/float64(row.bare.tasks),
			total/perTask(row.bare, "engine"),
			float64(f.all["orderfleet"]+f.all["engine"])/float64(row.fleet.jobs), float64(e.all["engine"])/float64(row.bare.jobs))
	}
	fmt.Printf("most frequent statements, fleet sync burst (calls, query):\n")
	for _, db := range []string{"orderfleet", "engine"} {
		fmt.Printf("  %s database:\n", db)
		for _, q := range fleetSync.top[db] {
			fmt.Printf("    %s\n", q)
		}
	}
	fmt.Printf("most frequent statements, bare engine sync burst:\n")
	for _, q := range bareSync.top["engine"] {
		fmt.Printf("    %s\n", q)
	}
}

// engineDatabaseURL is the engine's database on the stack's server (ORDERFLEET_ENGINE_DATABASE_URL wins).
func engineDatabaseURL(b *testing.B, omsURL string) string {
	if v := os.Getenv("ORDERFLEET_ENGINE_DATABASE_URL"); v != "" {
		return v
	}
	u, err := url.Parse(omsURL)
	if err != nil {
		b.Fatalf("database URL: %v", err)
	}
	u.Path = "/engine"
	return u.String()
}
