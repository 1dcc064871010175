package domain

import "slices"

// transitionTable lists, for every state, the states it may move to. Each
// state machine in this package is one of these literal tables so that the
// rules can be read (and tested) as data rather than scattered if-chains.
type transitionTable[S ~string] map[S][]S

func (t transitionTable[S]) allows(from, to S) bool {
	return slices.Contains(t[from], to)
}

// terminal reports whether a state has no way out.
func (t transitionTable[S]) terminal(s S) bool {
	return len(t[s]) == 0
}
