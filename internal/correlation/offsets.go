package correlation

import (
	"sync"

	"github.com/segmentio/kafka-go"
)

// offsets tracks, per partition, which fetched records are finished. Records of one partition may
// finish out of order (different keys run in different lanes), so only the finished prefix may be
// committed: committing past an unfinished record would lose it on a crash.
type offsets struct {
	mu         sync.Mutex
	partitions map[partitionID]*partitionLog
}

type partitionID struct {
	topic     string
	partition int
}

type partitionLog struct {
	pending   []*pendingRecord // fetch order
	committed int64            // next offset to read, as last committed by this router; -1 before any
	highWater int64            // from the last fetch, for the lag gauge
}

type pendingRecord struct {
	offset int64
	done   bool
}

func newOffsets() *offsets { return &offsets{partitions: map[partitionID]*partitionLog{}} }

// add registers a fetched record and returns the handle that marks it finished.
func (o *offsets) add(m kafka.Message) *pendingRecord {
	o.mu.Lock()
	defer o.mu.Unlock()
	id := partitionID{m.Topic, m.Partition}
	p := o.partitions[id]
	if p == nil {
		p = &partitionLog{committed: -1}
		o.partitions[id] = p
	}
	rec := &pendingRecord{offset: m.Offset}
	p.pending = append(p.pending, rec)
	p.highWater = m.HighWaterMark
	return rec
}

func (o *offsets) finish(rec *pendingRecord) {
	o.mu.Lock()
	rec.done = true
	o.mu.Unlock()
}

// committable pops each partition's finished prefix and returns, per partition, a message whose
// offset is the last finished record (kafka-go commits offset+1). A partition rewound by a rebalance
// may finish an offset below what was already committed; that is not committed again.
func (o *offsets) committable() []kafka.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []kafka.Message
	for id, p := range o.partitions {
		last := int64(-1)
		n := 0
		for n < len(p.pending) && p.pending[n].done {
			last = max(last, p.pending[n].offset)
			n++
		}
		p.pending = p.pending[n:]
		if n == 0 || last+1 <= p.committed {
			continue
		}
		out = append(out, kafka.Message{Topic: id.topic, Partition: id.partition, Offset: last})
	}
	return out
}

// committed records a successful commit of the messages committable returned.
func (o *offsets) committed(msgs []kafka.Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, m := range msgs {
		if p := o.partitions[partitionID{m.Topic, m.Partition}]; p != nil {
			p.committed = max(p.committed, m.Offset+1)
		}
	}
}

// lag is, per partition, how many records lie between the committed position and the log's end.
func (o *offsets) lag() map[partitionID]int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make(map[partitionID]int64, len(o.partitions))
	for id, p := range o.partitions {
		from := p.committed
		if from < 0 && len(p.pending) > 0 {
			from = p.pending[0].offset
		}
		if l := p.highWater - from; from >= 0 && l >= 0 {
			out[id] = l
		}
	}
	return out
}
