package domain

import (
	"fmt"
	"math/rand"
	"testing"
)

// graphFromBytes decodes fuzz input: byte 0 is the node count, each later
// pair (a, b) adds "a depends on b". Edges may form cycles.
func graphFromBytes(data []byte) []GraphNode {
	if len(data) == 0 {
		return nil
	}
	n := 1 + int(data[0])%24
	g := make([]GraphNode, n)
	for i := range g {
		g[i].ID = fmt.Sprintf("n%02d", i)
	}
	for i := 1; i+1 < len(data); i += 2 {
		a, b := int(data[i])%n, int(data[i+1])%n
		g[a].DependsOn = append(g[a].DependsOn, g[b].ID)
	}
	for i := range g { // duplicate edges are allowed in input but not interesting
		g[i].DependsOn = dedupe(g[i].DependsOn)
	}
	return g
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// FuzzTaskGraph: the validator agrees with the Kahn oracle; cycles it reports
// are real; valid graphs execute to completion without ever exposing a task
// whose dependencies are not done. `go test` runs the seed corpus.
func FuzzTaskGraph(f *testing.F) {
	f.Add([]byte{3, 1, 0, 2, 1})
	f.Add([]byte{3, 0, 1, 1, 2, 2, 0})
	f.Add([]byte{1, 0, 0})
	f.Add([]byte{10, 9, 8, 8, 7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0})
	f.Add([]byte{6, 5, 0, 5, 1, 4, 2, 3, 2, 2, 0, 1, 0, 0, 5})
	f.Fuzz(func(t *testing.T, data []byte) {
		g := graphFromBytes(data)
		if g == nil {
			return
		}
		err := ValidateGraph(g)
		cyclic := hasCycleOracle(g)
		if cyclic != (ErrorCode(err) == ECYCLE) {
			t.Fatalf("oracle cyclic=%v, validator err=%v", cyclic, err)
		}
		if cyclic {
			if !isRealCycle(g, ErrorRefs(err)) {
				t.Fatalf("reported %v is not a cycle", ErrorRefs(err))
			}
			return
		}
		if err != nil {
			t.Fatalf("acyclic graph rejected: %v", err)
		}
		p := planFromGraph(t, g, nil)
		executeRandomly(t, rand.New(rand.NewSource(int64(len(data)))), p)
		if !p.AllRequiredTasksDone() {
			t.Fatal("required work left after the loop")
		}
	})
}
