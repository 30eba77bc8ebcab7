package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gomp-kernel/gomp/mp"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// WorkerOptions configure Join.
type WorkerOptions struct {
	URL     string        // the server, nats://host:port, with or without a token
	Token   string        // the token, when not in URL
	Nkey    string        // the worker's nkey seed (a worker credential of gomp cluster serve)
	CA      string        // PEM certificates to trust when the server speaks TLS
	Slots   int           // tasks run at once; <= 0 is 1
	AckWait time.Duration // see DefaultAckWait; 0 is DefaultAckWait
	Version string        // this gomp's version, which tasks must match
	// BinaryDir is where fetched compiled workers are kept; "" is
	// gomp/cluster-workers under the user's cache directory.
	BinaryDir string
	// Log gets the worker's notes (a compiled worker fetched, or not run
	// and why); nil is os.Stderr.
	Log io.Writer
	// Ready, when set, is called once the worker takes tasks.
	Ready func()
}

// Join serves tasks of every pool on the cluster until ctx is done: Slots
// goroutines each keep a local mp worker process (mp.RemoteWorker) and
// take one task at a time from the work queue. mp.SetHost must have been
// called (the joining process's interpreter).
func Join(ctx context.Context, o WorkerOptions) error {
	url := o.URL
	c := Creds{URL: url, Token: o.Token, Seed: o.Nkey, CA: o.CA}
	opts, err := c.options()
	if err != nil {
		return fmt.Errorf("join %s: %w", redact(url), err)
	}
	closed := make(chan struct{})
	opts = append(opts, reconnect()...)
	opts = append(opts, nats.Name("gomp worker"), nats.ClosedHandler(func(*nats.Conn) { close(closed) }))
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return fmt.Errorf("join %s: %w%s", redact(url), err, authHint(err, c))
	}
	defer nc.Close()
	// The slots stop when the server stays away for good.
	ctx, stopAll := context.WithCancel(ctx)
	defer stopAll()
	go func() {
		select {
		case <-closed:
			stopAll()
		case <-ctx.Done():
		}
	}()
	js, err := jetstream.New(nc)
	if err != nil {
		return fmt.Errorf("join %s: %w", redact(url), err)
	}
	ack := o.AckWait
	if ack <= 0 {
		ack = DefaultAckWait
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	// A worker credential may not make or change the stream (gomp cluster
	// serve made it); a worker of an open server or with the token makes
	// it if no pool did yet.
	if _, err := js.Stream(cctx, streamName); errors.Is(err, jetstream.ErrStreamNotFound) {
		_, err = js.CreateStream(cctx, taskStream)
		if err != nil {
			return fmt.Errorf("join: create stream %s: %w", streamName, err)
		}
	} else if err != nil {
		return fmt.Errorf("join: find stream %s: %w", streamName, err)
	}
	cons, err := js.CreateOrUpdateConsumer(cctx, streamName, jetstream.ConsumerConfig{
		Durable:       consumerName,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       ack,
		MaxDeliver:    MaxDeliver,
		FilterSubject: taskPrefix + ">",
	})
	if err != nil {
		return fmt.Errorf("join: create consumer %s: %w", consumerName, err)
	}
	obs, err := snapshots(cctx, js)
	if err != nil {
		return fmt.Errorf("join: %w", err)
	}
	bins, err := binaries(cctx, js)
	if err != nil {
		return fmt.Errorf("join: %w", err)
	}
	binDir := o.BinaryDir
	if binDir == "" {
		if binDir, err = binaryCache(); err != nil {
			return fmt.Errorf("join: %w", err)
		}
	}
	w := &joined{
		nc: nc, obs: obs, bins: bins, binDir: binDir, cons: cons, ack: ack, version: o.Version, ip: localIP(nc),
		snaps: map[string][]byte{}, running: map[string]context.CancelFunc{}, exes: map[string]string{}, failed: map[string]bool{},
	}
	sub, err := nc.Subscribe(cancelPrefix+">", w.cancelled)
	if err != nil {
		return fmt.Errorf("join: subscribe to cancellations: %w", err)
	}
	defer sub.Unsubscribe()
	slots := max(o.Slots, 1)
	var wg sync.WaitGroup
	errs := make(chan error, slots)
	for i := range slots {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.slot(ctx, i+1); err != nil {
				errs <- err
			}
		}()
	}
	w.log = o.Log
	if w.log == nil {
		w.log = os.Stderr
	}
	if o.Ready != nil {
		o.Ready()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	select {
	case <-closed:
		return fmt.Errorf("join %s: lost the connection to the server: %v", redact(url), nc.LastError())
	default:
		return nil
	}
}

// joined is a worker's state shared by its slots.
type joined struct {
	nc      *nats.Conn
	obs     jetstream.ObjectStore
	bins    jetstream.ObjectStore // compiled workers
	binDir  string                // where fetched ones are kept
	cons    jetstream.Consumer
	ack     time.Duration
	version string
	ip      string // this machine's address towards the server, for output prefixes
	log     io.Writer

	mu      sync.Mutex
	snaps   map[string][]byte             // fetched snapshots by name
	running map[string]context.CancelFunc // stops the task running, by pool and id

	binMu  sync.Mutex
	exes   map[string]string // compiled workers by name: their path, "" when not run
	failed map[string]bool   // those whose fetch failed, said once
}

// cancelled stops the task a cancellation names, if it runs here.
func (j *joined) cancelled(m *nats.Msg) {
	key := m.Subject[len(cancelPrefix):] + "/" + string(m.Data)
	j.mu.Lock()
	stop := j.running[key]
	j.mu.Unlock()
	if stop != nil {
		stop()
	}
}

// slot serves tasks one at a time on its own mp worker process, started
// for the first task it can run and replaced when a task kills it.
func (j *joined) slot(ctx context.Context, n int) error {
	rw := &slotWorker{name: fmt.Sprintf("ClusterWorker-%d", n)}
	defer rw.close()
	for ctx.Err() == nil {
		msg, err := j.cons.Next(jetstream.FetchMaxWait(time.Second))
		if errors.Is(err, jetstream.ErrNoMessages) || errors.Is(err, nats.ErrTimeout) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			time.Sleep(100 * time.Millisecond)
			continue
		}
		if err := j.run(ctx, rw, msg); err != nil {
			return err
		}
	}
	return nil
}

// slotWorker is a slot's mp worker process, nil until needed. A process
// serves the tasks of one key: its executable (this gomp, or a compiled
// worker) and, for a pool with an initializer or a maximum of tasks per
// child, that pool, whose initializer's effects the process keeps and
// whose tasks it counts.
type slotWorker struct {
	name  string
	rw    *mp.RemoteWorker
	key   string
	tasks int // tasks run by rw
}

// get returns the worker for key, started from exe ("" for this gomp) if
// need be; a worker of another key is ended first.
func (s *slotWorker) get(key, exe string) (*mp.RemoteWorker, error) {
	if s.rw != nil && s.key != key {
		s.close()
	}
	if s.rw == nil {
		rw, err := mp.NewRemoteWorker(s.name, exe)
		if err != nil {
			return nil, fmt.Errorf("join: %w", err)
		}
		s.rw, s.key, s.tasks = rw, key, 0
	}
	return s.rw, nil
}

// close ends the worker, if any.
func (s *slotWorker) close() {
	if s.rw != nil {
		s.rw.Close()
		s.rw = nil
	}
}

// run runs one task message on the slot's worker and publishes its output
// and result. Its error (the worker process cannot start) ends the slot.
func (j *joined) run(ctx context.Context, sw *slotWorker, msg jetstream.Msg) error {
	h := msg.Headers()
	pool, id := h.Get(hPool), h.Get(hTask)
	// An attempt is one delivery of one stream message: a task the kernel
	// published again (after a server restart) is another message.
	attempt, last, delivered := "0.1", false, uint64(1)
	if md, err := msg.Metadata(); err == nil {
		attempt = fmt.Sprintf("%d.%d", md.Sequence.Stream, md.NumDelivered)
		last, delivered = md.NumDelivered >= MaxDeliver, md.NumDelivered
	}
	replyTo := replyPrefix + pool
	fail := func(why string) {
		j.publish(replyTo, id, attempt, kindFail, []byte(why))
		msg.Term()
	}
	if v := h.Get(hVersion); v != j.version {
		host, _ := os.Hostname()
		why := fmt.Sprintf("worker on %s runs gomp %s, the kernel gomp %s: run the same version on both", host, j.version, v)
		fmt.Fprintf(os.Stderr, "gomp worker: refused a task of pool %s: %s\n", pool, why)
		fail(why)
		return nil
	}
	items, err := decodeItems(msg.Data())
	if err != nil {
		fail(fmt.Sprintf("task %s: %v", id, err))
		return nil
	}
	first, err := strconv.Atoi(h.Get(hFirst))
	if err != nil {
		fail(fmt.Sprintf("task %s: bad %s header %q", id, hFirst, h.Get(hFirst)))
		return nil
	}
	initTarget := h.Get(hInit)
	var initArgs []byte
	if initTarget != "" {
		if len(items) == 0 {
			fail(fmt.Sprintf("task %s: no initializer arguments", id))
			return nil
		}
		initArgs, items = items[0], items[1:]
	}
	maxTasks := 0
	if v := h.Get(hMaxTasks); v != "" {
		if maxTasks, err = strconv.Atoi(v); err != nil || maxTasks < 0 {
			fail(fmt.Sprintf("task %s: bad %s header %q", id, hMaxTasks, v))
			return nil
		}
	}
	snap, err := j.snapshot(ctx, h.Get(hSnap))
	if err != nil {
		if last {
			fail(err.Error())
		} else {
			msg.Nak()
		}
		return nil
	}
	bin := h.Get(hBinary)
	exe := j.binary(ctx, pool, bin)
	procKey := func() string {
		if initTarget != "" || maxTasks > 0 {
			return exe + "\x00" + pool
		}
		return exe
	}
	rw, err := sw.get(procKey(), exe)
	if err != nil && exe != "" {
		// The compiled worker does not start here (a C library older than
		// the one it was linked against, say): run interpreted from now on.
		j.refuseBinary(pool, bin, err)
		exe = ""
		rw, err = sw.get(procKey(), exe)
	}
	if err != nil {
		msg.Nak()
		return err
	}
	// A cancellation from the kernel stops the task (its worker process
	// is killed) without another delivery.
	key := pool + "/" + id
	tctx, stopTask := context.WithCancel(ctx)
	defer stopTask()
	j.mu.Lock()
	j.running[key] = stopTask
	j.mu.Unlock()
	defer func() {
		j.mu.Lock()
		delete(j.running, key)
		j.mu.Unlock()
	}()
	// Heartbeats keep JetStream from giving a long task to another worker.
	hb, stop := context.WithCancel(ctx)
	go func() {
		t := time.NewTicker(j.ack / 3)
		defer t.Stop()
		for {
			select {
			case <-hb.Done():
				return
			case <-t.C:
				msg.InProgress()
			}
		}
	}()
	var pieces atomic.Int64
	body, err := rw.Run(tctx, mp.ClusterTask{
		Target: h.Get(hTarget), First: first, Items: items, Snapshot: snap,
		InitTarget: initTarget, InitArgs: initArgs, Prefix: h.Get(hPrefix) == "1", IP: j.ip, Binary: exe,
		Stdout: &publisher{j: j, subject: replyTo, id: id, attempt: attempt, kind: kindOut, pieces: &pieces},
		Stderr: &publisher{j: j, subject: replyTo, id: id, attempt: attempt, kind: kindErr, pieces: &pieces},
	})
	stop()
	if err != nil {
		sw.close()
		if tctx.Err() != nil && ctx.Err() == nil {
			// Cancelled by the kernel: nobody waits for it any more.
			msg.Term()
			return nil
		}
		if last && ctx.Err() == nil {
			// The task killed its worker for the last time: fail it from
			// here, after its output on the same connection, so that the
			// kernel shows this attempt's lines before the error (the
			// server's max-deliveries advisory, which covers a worker that
			// died itself, may overtake them).
			fail(fmt.Sprintf("the workers running it died or were cut off %d times", delivered))
			return nil
		}
		// The task killed the worker (or this worker is stopping): another
		// delivery, up to MaxDeliver, tries again.
		msg.Nak()
		return nil
	}
	j.publish(replyTo, id, attempt, kindResult, body, hPieces, strconv.FormatInt(pieces.Load(), 10))
	msg.Ack()
	sw.tasks++
	if maxTasks > 0 && sw.tasks >= maxTasks {
		// WithMaxTasksPerChild: the next task gets a fresh process.
		sw.close()
	}
	return nil
}

// binary returns the path of the compiled worker named name ("" for none),
// fetched once and checked against its hash, or "" when this worker
// cannot run it (another platform or gomp version, or the fetch failed):
// the task then runs interpreted, and the worker says why once.
func (j *joined) binary(ctx context.Context, pool, name string) string {
	if name == "" {
		return ""
	}
	j.binMu.Lock()
	defer j.binMu.Unlock()
	if exe, ok := j.exes[name]; ok {
		return exe
	}
	exe, why := "", ""
	info, err := j.bins.GetInfo(ctx, name)
	if err == nil {
		var ok bool
		if ok, why = usable(info.Metadata, j.version, platform()); ok {
			exe, err = fetchBinary(ctx, j.bins, j.binDir, name)
		}
	}
	if err != nil {
		// The store or the disk failed: this task runs interpreted, and
		// the next one tries again; the worker says so once.
		if !j.failed[name] {
			j.failed[name] = true
			fmt.Fprintf(j.log, "gomp worker: tasks of pool %s run interpreted until compiled worker %.12s can be fetched: %v\n", pool, name, err)
		}
		return ""
	}
	if exe == "" {
		fmt.Fprintf(j.log, "gomp worker: tasks of pool %s run interpreted, not on compiled worker %.12s: %s\n", pool, name, why)
	} else {
		fmt.Fprintf(j.log, "gomp worker: running compiled worker %.12s (%s) for pool %s\n", name, exe, pool)
	}
	j.exes[name] = exe
	return exe
}

// refuseBinary records that the compiled worker named name failed to
// start here, so that its tasks run interpreted, and says so.
func (j *joined) refuseBinary(pool, name string, err error) {
	j.binMu.Lock()
	defer j.binMu.Unlock()
	j.exes[name] = ""
	fmt.Fprintf(j.log, "gomp worker: tasks of pool %s run interpreted, not on compiled worker %.12s: it does not start here: %v\n", pool, name, err)
}

// localIP returns this machine's address on the route to the server nc
// is connected to, "" if it cannot tell. No packet is sent: a UDP
// "connection" only picks the route.
func localIP(nc *nats.Conn) string {
	c, err := net.Dial("udp", nc.ConnectedAddr())
	if err != nil {
		return ""
	}
	defer c.Close()
	if a, ok := c.LocalAddr().(*net.UDPAddr); ok {
		return a.IP.String()
	}
	return ""
}

// keptSnapshots bounds the fetched snapshots a worker keeps: the
// notebook's state changes with each cell, and several kernels may share
// the workers.
const keptSnapshots = 8

// snapshot returns the snapshot named name, fetched once while kept.
func (j *joined) snapshot(ctx context.Context, name string) ([]byte, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if s, ok := j.snaps[name]; ok {
		return s, nil
	}
	s, err := j.obs.GetBytes(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("fetch snapshot %s: %w", name, err)
	}
	if snapName(s) != name {
		return nil, fmt.Errorf("fetch snapshot %s: content does not match its hash", name)
	}
	if len(j.snaps) >= keptSnapshots {
		// A worker lives across many cells: keep a few, dropping any one.
		for k := range j.snaps {
			delete(j.snaps, k)
			break
		}
	}
	j.snaps[name] = s
	return s, nil
}

// publish sends one reply, with the extra header keys and values given.
func (j *joined) publish(subject, id, attempt, kind string, data []byte, header ...string) {
	m := nats.NewMsg(subject)
	for i := 0; i+1 < len(header); i += 2 {
		m.Header.Set(header[i], header[i+1])
	}
	m.Header.Set(hTask, id)
	m.Header.Set(hAttempt, attempt)
	m.Header.Set(hKind, kind)
	m.Data = data
	if err := j.nc.PublishMsg(m); err != nil {
		fmt.Fprintf(os.Stderr, "gomp worker: publish %s of task %s: %v\n", kind, id, err)
	}
}

// publisher sends a task's output as replies, one message per write (mp
// writes whole lines, or pieces of long ones).
type publisher struct {
	j                    *joined
	subject, id, attempt string
	kind                 string
	pieces               *atomic.Int64 // counts the attempt's output replies
}

func (p *publisher) Write(b []byte) (int, error) {
	p.pieces.Add(1)
	p.j.publish(p.subject, p.id, p.attempt, p.kind, append([]byte(nil), b...))
	return len(b), nil
}
