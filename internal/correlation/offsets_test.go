package correlation

import (
	"testing"

	"github.com/segmentio/kafka-go"
)

func record(partition int, offset int64) kafka.Message {
	return kafka.Message{Topic: "t", Partition: partition, Offset: offset, HighWaterMark: 100}
}

func commitOffsets(o *offsets) map[int]int64 {
	out := map[int]int64{}
	msgs := o.committable()
	for _, m := range msgs {
		out[m.Partition] = m.Offset
	}
	o.committed(msgs)
	return out
}

// Only the finished prefix of a partition may be committed: a later record finishing first must
// not carry the offset past an earlier one still running.
func TestOffsetsCommitOnlyTheFinishedPrefix(t *testing.T) {
	o := newOffsets()
	r10, r11, r12 := o.add(record(0, 10)), o.add(record(0, 11)), o.add(record(0, 12))
	r5 := o.add(record(1, 5))

	o.finish(r12)
	o.finish(r5)
	if got := commitOffsets(o); len(got) != 1 || got[1] != 5 {
		t.Fatalf("committable %v, want only partition 1 at 5", got)
	}
	o.finish(r10)
	if got := commitOffsets(o); got[0] != 10 {
		t.Fatalf("committable %v, want partition 0 at 10 (11 still running)", got)
	}
	o.finish(r11)
	if got := commitOffsets(o); got[0] != 12 {
		t.Fatalf("committable %v, want partition 0 at 12", got)
	}
	if lag := o.lag()[partitionID{"t", 0}]; lag != 100-13 {
		t.Fatalf("lag %d, want %d", lag, 100-13)
	}
}

// After a rebalance the reader may hand out offsets again; finishing them must not move the
// committed position backwards.
func TestOffsetsNeverCommitBackwards(t *testing.T) {
	o := newOffsets()
	o.finish(o.add(record(0, 7)))
	commitOffsets(o)
	o.finish(o.add(record(0, 6))) // redelivered from an older committed position
	if got := commitOffsets(o); len(got) != 0 {
		t.Fatalf("committed %v, want nothing below 8", got)
	}
	o.finish(o.add(record(0, 8)))
	if got := commitOffsets(o); got[0] != 8 {
		t.Fatalf("committed %v, want 8", got)
	}
}
