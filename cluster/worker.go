package cluster

import (
	"context"
	"errors"
	"fmt"
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
	w := &joined{nc: nc, obs: obs, cons: cons, ack: ack, version: o.Version, snaps: map[string][]byte{}, running: map[string]context.CancelFunc{}}
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
	cons    jetstream.Consumer
	ack     time.Duration
	version string

	mu      sync.Mutex
	snaps   map[string][]byte             // fetched snapshots by name
	running map[string]context.CancelFunc // stops the task running, by pool and id
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

// slotWorker is a slot's mp worker process, nil until needed.
type slotWorker struct {
	name string
	rw   *mp.RemoteWorker
}

// get returns the worker, started if need be.
func (s *slotWorker) get() (*mp.RemoteWorker, error) {
	if s.rw == nil {
		rw, err := mp.NewRemoteWorker(s.name)
		if err != nil {
			return nil, fmt.Errorf("join: %w", err)
		}
		s.rw = rw
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
	snap, err := j.snapshot(ctx, h.Get(hSnap))
	if err != nil {
		if last {
			fail(err.Error())
		} else {
			msg.Nak()
		}
		return nil
	}
	rw, err := sw.get()
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
	return nil
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
