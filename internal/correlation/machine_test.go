package correlation_test

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The engine keeps working for seconds after a phase ends (exporting, Operate importing, timers),
// and a phase that starts during that work pays for the one before it. waitForQuietMachine waits
// until the whole machine has been nearly idle for a second, so each phase starts from the same
// place whichever side ran before it.
const (
	quietBusyShare = 0.15 // of all cores
	quietFor       = time.Second
	quietAtMost    = 90 * time.Second
)

// waitForQuietMachine returns how long it waited and whether the machine went quiet in time.
// Without /proc/stat it waits a fixed 10 s, which was enough on an otherwise idle stack.
func waitForQuietMachine() (time.Duration, bool) {
	start := time.Now()
	prev, err := readCPUTicks()
	if err != nil {
		time.Sleep(10 * time.Second)
		return time.Since(start), true
	}
	const window = 250 * time.Millisecond
	quietSince := time.Time{}
	for time.Since(start) < quietAtMost {
		time.Sleep(window)
		cur, err := readCPUTicks()
		if err != nil {
			return time.Since(start), false
		}
		busy := cur.busyShareSince(prev)
		prev = cur
		switch {
		case busy > quietBusyShare:
			quietSince = time.Time{}
		case quietSince.IsZero():
			quietSince = time.Now()
		case time.Since(quietSince) >= quietFor:
			return time.Since(start), true
		}
	}
	return time.Since(start), false
}

type cpuTicks struct{ busy, total uint64 }

func (c cpuTicks) busyShareSince(prev cpuTicks) float64 {
	if c.total <= prev.total {
		return 0
	}
	return float64(c.busy-prev.busy) / float64(c.total-prev.total)
}

// readCPUTicks sums the machine's "cpu" line: idle and iowait are idle, everything else is busy.
func readCPUTicks() (cpuTicks, error) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return cpuTicks{}, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) < 5 || fields[0] != "cpu" {
			continue
		}
		var c cpuTicks
		// user nice system idle iowait irq softirq steal; guest time is already inside user and nice.
		for i, v := range fields[1:min(len(fields), 9)] {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return cpuTicks{}, fmt.Errorf("/proc/stat: %w", err)
			}
			c.total += n
			if i != 3 && i != 4 { // idle, iowait
				c.busy += n
			}
		}
		return c, nil
	}
	return cpuTicks{}, fmt.Errorf("/proc/stat has no cpu line")
}

// cpuUse is CPU time spent so far by this process and by the local PostgreSQL server (every
// postgres process on the machine, whoever it serves), so a phase can say where its CPU went. Both
// read zero where /proc is missing.
type cpuUse struct{ self, postgres time.Duration }

func readCPUUse() cpuUse {
	var u cpuUse
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		u.self = time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime))
	}
	dirs, _ := os.ReadDir("/proc")
	for _, d := range dirs {
		if d.Name()[0] < '0' || d.Name()[0] > '9' {
			continue
		}
		stat, err := os.ReadFile("/proc/" + d.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ... utime stime cutime cstime, counted after the last ")". The
		// postmaster's cutime and cstime hold the CPU of backends and workers that exited meanwhile.
		i := strings.LastIndex(string(stat), ") ")
		if i < 0 || !strings.HasSuffix(string(stat[:i]), "(postgres") {
			continue
		}
		f := strings.Fields(string(stat[i+2:]))
		if len(f) < 15 {
			continue
		}
		for _, field := range f[11:15] {
			ticks, _ := strconv.ParseUint(field, 10, 64)
			u.postgres += time.Duration(ticks) * time.Second / clockTicks
		}
	}
	return u
}

// clockTicks is USER_HZ, the unit of /proc's CPU times; it is 100 on every Linux we run on.
const clockTicks = 100

func (u cpuUse) since(prev cpuUse) cpuUse {
	return cpuUse{self: u.self - prev.self, postgres: u.postgres - prev.postgres}
}
