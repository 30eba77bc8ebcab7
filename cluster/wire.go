// Package cluster runs mp pools across machines on NATS JetStream: an
// embedded NATS server (`gomp cluster serve`), workers that join it
// (`gomp worker --join`) and the transport a kernel's pools use
// (mp.WithCluster). NATS is an existing, well-kept distributed engine:
// JetStream gives the work queue with acknowledgements, redelivery and
// delivery limits, and the object store for notebook snapshots, that a
// home-made protocol would have to reinvent.
package cluster

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Names of the JetStream objects and subjects gomp uses. Every pool's
// tasks go to the subject taskPrefix+POOL of one work-queue stream, so
// that workers need one consumer for all pools; replies (output lines and
// results) come back on replyPrefix+POOL, a plain NATS subject the pool's
// kernel subscribes to.
const (
	streamName   = "GOMP_TASKS"
	taskPrefix   = "gomp.task."
	replyPrefix  = "gomp.reply."
	cancelPrefix = "gomp.cancel." // + POOL: a task id whose call was interrupted
	consumerName = "gomp-workers"
	snapBucket   = "gomp-snapshots"
	binBucket    = "gomp-workers" // compiled worker binaries, by SHA-256
)

// Headers of task and reply messages.
const (
	hVersion = "Gomp-Version" // the kernel's gomp version on a task
	hTask    = "Gomp-Task"    // the task's id, unique in its pool
	hPool    = "Gomp-Pool"
	hSnap    = "Gomp-Snapshot" // the snapshot's content hash
	hTarget  = "Gomp-Target"
	hFirst   = "Gomp-First"
	hKind    = "Gomp-Kind"    // on a reply: kindOut, kindErr, kindResult or kindFail
	hAttempt = "Gomp-Attempt" // on a reply: the delivery of the task it comes from
	hPieces  = "Gomp-Pieces"  // on a result: how many output replies of its attempt came before it
	// The pool's initializer's target; its encoded arguments are then the
	// first framed item of the task's body, before the task's items.
	hInit     = "Gomp-Init"
	hMaxTasks = "Gomp-Max-Tasks" // WithMaxTasksPerChild's n, when not 0
	hPrefix   = "Gomp-Prefix"    // "1": prefix output lines with pid and ip
	hBinary   = "Gomp-Binary"    // the compiled worker's name in binBucket
)

// Metadata of a compiled worker binary in binBucket: the platform it was
// built for ("linux/amd64") and the gomp version that built it. A worker
// runs it only when both are its own.
const (
	metaPlatform = "gomp-platform"
	metaVersion  = "gomp-version"
)

// Kinds of reply.
const (
	kindOut    = "out"    // a piece of the task's stdout
	kindErr    = "err"    // a piece of its stderr
	kindResult = "result" // its encoded result frame
	kindFail   = "fail"   // the worker could not run it: the body says why
)

// Worker defaults: AckWait is how long a task may go without a heartbeat
// before JetStream gives it to another worker (a running task's worker
// sends one every AckWait/3); MaxDeliver bounds how many workers a task
// may take down before its call fails.
const (
	DefaultAckWait = 10 * time.Second
	MaxDeliver     = 4
)

// snapName is the object store name of a snapshot: its SHA-256.
func snapName(snap []byte) string {
	sum := sha256.Sum256(snap)
	return hex.EncodeToString(sum[:])
}

// encodeItems frames argument tuples: a count, then each with its length.
func encodeItems(items [][]byte) []byte {
	n := binary.MaxVarintLen64
	for _, it := range items {
		n += len(it) + binary.MaxVarintLen64
	}
	b := binary.AppendUvarint(make([]byte, 0, n), uint64(len(items)))
	for _, it := range items {
		b = binary.AppendUvarint(b, uint64(len(it)))
		b = append(b, it...)
	}
	return b
}

// errItems is the error of a task body that is not a framing of items.
var errItems = errors.New("malformed task items")

// decodeItems is the reverse of encodeItems.
func decodeItems(b []byte) ([][]byte, error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)) {
		return nil, fmt.Errorf("%w: bad count", errItems)
	}
	b = b[k:]
	items := make([][]byte, n)
	for i := range items {
		l, k := binary.Uvarint(b)
		if k <= 0 || l > uint64(len(b)-k) {
			return nil, fmt.Errorf("%w: item %d of %d is cut short", errItems, i, n)
		}
		items[i] = b[k : k+int(l)]
		b = b[k+int(l):]
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after the last item", errItems, len(b))
	}
	return items, nil
}
