package correlation

import (
	"fmt"
	"sync"

	"github.com/segmentio/kafka-go"
)

// work is one fetched record on its way through the router.
type work struct {
	msg kafka.Message
	rec *pendingRecord
	key string
}

func newWork(m kafka.Message, rec *pendingRecord) work {
	key := fmt.Sprintf("%s/%d", m.Topic, m.Partition) // unkeyed records keep partition order
	if len(m.Key) > 0 {
		key = m.Topic + "\x00" + string(m.Key)
	}
	return work{msg: m, rec: rec, key: key}
}

// dispatcher feeds a fixed pool of workers while keeping one key's records in order: a record
// whose key is already being handled waits behind it, every other record goes to any free worker.
// Pinning keys to workers instead would leave workers idle while an unlucky one has a queue.
type dispatcher struct {
	mu     sync.Mutex
	parked map[string][]work // keys in flight → the records waiting behind the running one
	ready  chan work
	slots  chan struct{} // bounds the records fetched and not yet finished
}

func newDispatcher(maxPending int) *dispatcher {
	return &dispatcher{parked: map[string][]work{}, ready: make(chan work, maxPending), slots: make(chan struct{}, maxPending)}
}

// submit hands a fetched record over; it blocks while maxPending records are unfinished, which is
// what stops the fetch loop from running ahead of a slow engine.
func (d *dispatcher) submit(done <-chan struct{}, w work) bool {
	select {
	case d.slots <- struct{}{}:
	case <-done:
		return false
	}
	d.mu.Lock()
	if q, busy := d.parked[w.key]; busy {
		d.parked[w.key] = append(q, w)
		d.mu.Unlock()
		return true
	}
	d.parked[w.key] = nil
	d.mu.Unlock()
	d.ready <- w // never blocks: ready holds as many records as there are slots
	return true
}

// finished releases a record's slot and returns the record of the same key waiting behind it.
func (d *dispatcher) finished(w work) (work, bool) {
	<-d.slots
	d.mu.Lock()
	defer d.mu.Unlock()
	q := d.parked[w.key]
	if len(q) == 0 {
		delete(d.parked, w.key)
		return work{}, false
	}
	d.parked[w.key] = q[1:]
	return q[0], true
}
