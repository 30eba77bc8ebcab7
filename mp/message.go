package mp

import (
	"encoding/binary"
	"fmt"
	"math"
)

// A message is the typed body of one kind of frame between the parent and
// a worker. Each kind has one Go type, which alone encodes (appendBody)
// and decodes (decode) its body, so that the two sides cannot disagree on
// a field's order or meaning. decode never panics: a body that is short,
// long or out of range is an error naming the frame and the field.
type message interface {
	kind() kind
	appendBody(b body) body
}

// sendMsg sends m as frame seq.
func (c *conn) sendMsg(seq uint64, m message) error {
	return c.send(frame{Seq: seq, Kind: m.kind(), Body: m.appendBody(nil)})
}

// frameName names a worker protocol kind for errors.
func frameName(k kind) string {
	switch k {
	case kindHello:
		return "hello"
	case kindRestore:
		return "restore"
	case kindInit:
		return "init"
	case kindCall:
		return "call"
	case kindExit:
		return "exit"
	case kindResult:
		return "result"
	case kindReady:
		return "ready"
	}
	return fmt.Sprintf("kind %d", k)
}

// finish ends the decoding of a body of kind k: it checks that nothing is
// left over and names the frame in the error.
func (r *reader) finish(k kind) error {
	r.end()
	if r.err != nil {
		return fmt.Errorf("%s frame: %w", frameName(k), r.err)
	}
	return nil
}

// index reads an item index written as index+1, 0 standing for -1 (none).
func (r *reader) index() int {
	v := r.uint()
	if r.err == nil && v > math.MaxInt {
		r.fail("index %d out of range", v-1)
		return -1
	}
	return int(v) - 1
}

// index appends an item index (-1 for none) as index+1.
func (b body) index(i int) body { return b.uint(uint64(i + 1)) }

// hello is the first frame a worker gets: who it is.
type hello struct {
	Name       string
	ParentName string
	ParentPid  int
	Token      string
	Pool       bool   // serve tasks until told to exit; else run one call and exit
	Identity   string // "1", "1:2": where the child stands in the process tree, as Python's _identity
}

func (hello) kind() kind { return kindHello }

func (h hello) appendBody(b body) body {
	return b.string(h.Name).string(h.ParentName).uint(uint64(h.ParentPid)).string(h.Token).flag(h.Pool).string(h.Identity)
}

func (h *hello) decode(p []byte) error {
	r := reader{b: p}
	h.Name = r.field("name").string()
	h.ParentName = r.field("parent name").string()
	pid := r.field("parent pid").uint()
	if r.err == nil && pid > math.MaxInt32 {
		r.fail("%d out of range", pid)
	}
	h.ParentPid = int(pid)
	h.Token = r.field("token").string()
	h.Pool = r.field("pool").flag()
	h.Identity = r.field("identity").string()
	return r.finish(kindHello)
}

// restoreFrame carries the notebook's state: a worker restores it before
// the next call and reruns the initializer after it.
type restoreFrame struct {
	Version  uint64 // the parent's count of snapshots, for its bookkeeping
	Snapshot []byte // the Host's Snapshot, for the Runner's Restore
}

func (restoreFrame) kind() kind { return kindRestore }

func (m restoreFrame) appendBody(b body) body {
	if b == nil {
		b = make(body, 0, len(m.Snapshot)+2*binary.MaxVarintLen64)
	}
	return b.uint(m.Version).bytes(m.Snapshot)
}

func (m *restoreFrame) decode(p []byte) error {
	r := reader{b: p}
	m.Version = r.field("version").uint()
	m.Snapshot = r.field("snapshot").bytes()
	return r.finish(kindRestore)
}

// initFrame is a Pool's initializer call, which a worker runs after each
// restore.
type initFrame struct {
	Target string // the host's name of the initializer
	Args   []byte // its argument tuple (encodeArgs)
}

func (initFrame) kind() kind { return kindInit }

func (m initFrame) appendBody(b body) body { return b.string(m.Target).bytes(m.Args) }

func (m *initFrame) decode(p []byte) error {
	r := reader{b: p}
	m.Target = r.field("target").string()
	m.Args = r.field("args").bytes()
	return r.finish(kindInit)
}

// callFrame asks a worker to call a target on a chunk of argument tuples.
type callFrame struct {
	Target string
	First  int      // index of Items[0] in the Map; -1 when the call has no item indices
	Items  [][]byte // argument tuples (encodeArgs), one per item
}

func (callFrame) kind() kind { return kindCall }

func (m callFrame) appendBody(b body) body {
	if b == nil {
		size := len(m.Target) + 3*binary.MaxVarintLen64
		for _, it := range m.Items {
			size += len(it) + binary.MaxVarintLen64
		}
		b = make(body, 0, size)
	}
	b = b.string(m.Target).index(m.First).uint(uint64(len(m.Items)))
	for _, it := range m.Items {
		b = b.bytes(it)
	}
	return b
}

func (m *callFrame) decode(p []byte) error {
	r := reader{b: p}
	m.Target = r.field("target").string()
	m.First = r.field("first item").index()
	m.Items = r.field("items").list()
	return r.finish(kindCall)
}

// list reads a count and that many length-prefixed byte strings. The
// strings alias the body.
func (r *reader) list() [][]byte {
	n := r.uint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) { // each takes at least its length's byte
		r.fail("%d entries announced, %d bytes left", n, len(r.b))
		return nil
	}
	out := make([][]byte, n)
	for i := range out {
		if out[i] = r.bytes(); r.err != nil {
			return nil
		}
	}
	return out
}

// resultFrame is a worker's answer to a call: the encoded results of the
// items that succeeded, in order, and the error of the item that failed,
// which ended the chunk.
type resultFrame struct {
	Results [][]byte
	Err     *RemoteError // nil when every item succeeded; its Target is not carried
}

func (resultFrame) kind() kind { return kindResult }

func (m resultFrame) appendBody(b body) body {
	if b == nil {
		size := 2 * binary.MaxVarintLen64
		for _, res := range m.Results {
			size += len(res) + binary.MaxVarintLen64
		}
		b = make(body, 0, size)
	}
	b = b.uint(uint64(len(m.Results)))
	for _, res := range m.Results {
		b = b.bytes(res)
	}
	if m.Err == nil {
		return b.flag(false)
	}
	e := m.Err
	return b.flag(true).index(e.Item).flag(e.Panic).string(e.Message).string(e.Stack)
}

func (m *resultFrame) decode(p []byte) error {
	r := reader{b: p}
	m.Results = r.field("results").list()
	m.Err = nil
	if r.field("failed").flag() {
		e := &RemoteError{}
		e.Item = r.field("error item").index()
		e.Panic = r.field("error panic").flag()
		e.Message = r.field("error message").string()
		e.Stack = r.field("error stack").string()
		m.Err = e
	}
	return r.finish(kindResult)
}

// readyFrame is a worker's first frame: it started and waits for hello.
type readyFrame struct{}

func (readyFrame) kind() kind             { return kindReady }
func (readyFrame) appendBody(b body) body { return b }
func (*readyFrame) decode(p []byte) error { r := reader{b: p}; return r.finish(kindReady) }

// exitFrame tells a worker to finish and exit 0.
type exitFrame struct{}

func (exitFrame) kind() kind             { return kindExit }
func (exitFrame) appendBody(b body) body { return b }
func (*exitFrame) decode(p []byte) error { r := reader{b: p}; return r.finish(kindExit) }
