package conformance

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/camunda/zeebe/clients/go/v8/pkg/entities"
	"github.com/camunda/zeebe/clients/go/v8/pkg/worker"
	"github.com/jackc/pgx/v5"
)

// BenchmarkEngineLine: 2,000 instances of a 9-task line through the shared engine with no-op
// zbc job workers (one per type, 32 jobs active), beside raw PostgreSQL single-row commits
// measured by this same program, so a slow machine and a slow engine can be told apart.
// Run: make bench-engine (go test -run '^$' -bench BenchmarkEngineLine -benchtime 1x).
func BenchmarkEngineLine(b *testing.B) {
	const tasks = 9
	instances := 2000
	if v, err := strconv.Atoi(os.Getenv("ENGINE_BENCH_INSTANCES")); err == nil && v > 0 {
		instances = v
	}
	for range b.N {
		pid, types := uniq("bench-line"), uniq("bench")
		deploy(b, taskLine(pid, types, tasks))

		var mu sync.Mutex
		var startedAt sync.Map // instance key → time its creation was sent
		var durations []time.Duration
		var jobsDone atomic.Int64
		allDone := make(chan struct{})
		var doneOnce sync.Once

		var workers []worker.JobWorker
		for i := 1; i <= tasks; i++ {
			last := i == tasks
			handler := func(client worker.JobClient, job entities.Job) {
				cmd, _ := client.NewCompleteJobCommand().JobKey(job.Key).VariablesFromString("{}")
				if _, err := cmd.Send(context.Background()); err != nil {
					b.Errorf("complete job %d: %v", job.Key, err)
					return
				}
				jobsDone.Add(1)
				if last {
					// The creator stores the start time once its create is answered; wait for it.
					t0, ok := startedAt.Load(job.ProcessInstanceKey)
					for i := 0; !ok && i < 1000; i++ {
						time.Sleep(time.Millisecond)
						t0, ok = startedAt.Load(job.ProcessInstanceKey)
					}
					if !ok {
						b.Errorf("instance %d finished but its creation was never answered", job.ProcessInstanceKey)
						return
					}
					mu.Lock()
					durations = append(durations, time.Since(t0.(time.Time)))
					n := len(durations)
					mu.Unlock()
					if n == instances {
						doneOnce.Do(func() { close(allDone) })
					}
				}
			}
			workers = append(workers, zc.NewJobWorker().JobType(fmt.Sprintf("%s-%d", types, i)).Handler(handler).
				MaxJobsActive(32).Concurrency(4).Timeout(time.Minute).PollInterval(50*time.Millisecond).RequestTimeout(time.Second).Open())
		}

		began := time.Now()
		var next atomic.Int64
		var creators sync.WaitGroup
		for range 8 {
			creators.Add(1)
			go func() {
				defer creators.Done()
				for next.Add(1) <= int64(instances) {
					t0 := time.Now()
					resp, err := zc.NewCreateInstanceCommand().BPMNProcessId(pid).LatestVersion().Send(context.Background())
					if err != nil {
						b.Errorf("create: %v", err)
						return
					}
					startedAt.Store(resp.ProcessInstanceKey, t0)
				}
			}()
		}
		// Wait for the last instance; a stall (no job completed for 30 s) fails with the progress.
		lastJobs, lastMove := int64(-1), time.Now()
		for waiting := true; waiting; {
			select {
			case <-allDone:
				waiting = false
			case <-time.After(time.Second):
				if n := jobsDone.Load(); n != lastJobs {
					lastJobs, lastMove = n, time.Now()
				} else if time.Since(lastMove) > 30*time.Second {
					mu.Lock()
					done := len(durations)
					mu.Unlock()
					b.Fatalf("stalled: no job completed for 30s; %d of %d instances created, %d done, %d jobs completed (engine log %s)",
						min(next.Load(), int64(instances)), instances, done, n, eng.logPath)
				}
			}
		}
		creators.Wait()
		elapsed := time.Since(began)
		for _, w := range workers {
			w.Close()
		}
		rss := eng.rssKiB()
		sort.Slice(durations, func(i, j int) bool { return durations[i] < durations[j] })
		p50, p99 := durations[len(durations)/2], durations[len(durations)*99/100]
		instPerSec := float64(instances) / elapsed.Seconds()
		jobsPerSec := float64(jobsDone.Load()) / elapsed.Seconds()

		commits, err := rawCommitsPerSecond(sharedDB, 4, 3*time.Second)
		if err != nil {
			b.Fatalf("raw PostgreSQL commits: %v", err)
		}
		fmt.Printf("engine ready within %d ms of start\n", eng.readyIn.Milliseconds())
		fmt.Printf("engine line: %d instances x %d tasks in %s: %.1f instances/s, %.1f jobs/s, instance p50 %s p99 %s, engine VmRSS %d MiB\n",
			instances, tasks, elapsed.Round(time.Millisecond), instPerSec, jobsPerSec, p50.Round(time.Millisecond), p99.Round(time.Millisecond), rss/1024)
		fmt.Printf("raw PostgreSQL: %.0f single-row INSERT+COMMIT/s (4 connections, 3 s)\n", commits)
		fmt.Printf("ratio jobs/s / raw commits/s = %.3f\n", jobsPerSec/commits)
		b.ReportMetric(instPerSec, "instances/s")
		b.ReportMetric(jobsPerSec, "jobs/s")
		b.ReportMetric(commits, "pg-commits/s")
		b.ReportMetric(jobsPerSec/commits, "jobs/commit")
	}
}

// rawCommitsPerSecond measures single-row INSERT+COMMIT (autocommit) over conns connections.
func rawCommitsPerSecond(dbURL string, conns int, d time.Duration) (float64, error) {
	ctx := context.Background()
	setup, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return 0, err
	}
	defer setup.Close(ctx)
	if _, err := setup.Exec(ctx, "CREATE TABLE IF NOT EXISTS conformance_raw_commit (id bigserial PRIMARY KEY, payload text NOT NULL)"); err != nil {
		return 0, err
	}
	var total atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	stopAt := time.Now().Add(d)
	began := time.Now()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := pgx.Connect(ctx, dbURL)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close(ctx)
			for time.Now().Before(stopAt) {
				if _, err := c.Exec(ctx, "INSERT INTO conformance_raw_commit (payload) VALUES ($1)", "x"); err != nil {
					errs <- err
					return
				}
				total.Add(1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	return float64(total.Load()) / time.Since(began).Seconds(), nil
}
