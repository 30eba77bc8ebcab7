package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gomp-kernel/gomp/mp"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nuid"
)

// Transport is mp's Cluster on NATS JetStream; main installs it with
// mp.Config.Cluster. Version is the kernel's gomp version, which workers
// compare with their own. Embedded, when set, is the server pools made
// with the url "" or "embedded" use; nil makes them an error.
type Transport struct {
	Version  string
	Embedded *Embedded
}

// Open connects one pool to a cluster. url is one of:
//   - "" or "embedded": this machine's embedded server (see Embedded);
//   - nats://TOKEN@HOST:PORT: the server's shared token;
//   - nats://HOST:PORT: the notebook credentials in the file
//     $GOMP_CLUSTER_CREDS names, or none (an open NATS server);
//   - the path of a credentials file (notebook-creds.json), which holds
//     the server's URL.
func (tr Transport) Open(url string) (mp.ClusterPool, error) {
	c, err := tr.creds(url)
	if err != nil {
		return nil, err
	}
	nc, js, err := connect(c, "gomp pool")
	if err != nil {
		return nil, err
	}
	p := &pool{nc: nc, js: js, id: nuid.Next(), version: tr.Version, pending: map[string]*pending{}, bySeq: map[uint64]string{}}
	nc.SetClosedHandler(p.lost)
	p.ctx, p.stop = context.WithCancel(context.Background())
	nc.SetReconnectHandler(func(*nats.Conn) { go p.republish() })
	p.sub, err = nc.Subscribe(replyPrefix+p.id, p.reply)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("subscribe to replies: %w", err)
	}
	// A reply dropped for a slow consumer would leave its task waiting:
	// the kernel keeps them all, however fast tasks print.
	if err := p.sub.SetPendingLimits(-1, -1); err != nil {
		nc.Close()
		return nil, fmt.Errorf("subscribe to replies: %w", err)
	}
	p.adv, err = nc.Subscribe(maxDeliveriesAdvisory, p.advisory)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("subscribe to advisories: %w", err)
	}
	if err := nc.Flush(); err != nil {
		nc.Close()
		return nil, fmt.Errorf("subscribe to replies: %w", err)
	}
	return p, nil
}

// creds resolves a pool's url (see Open) to the credentials it joins with.
func (tr Transport) creds(url string) (Creds, error) {
	switch {
	case url == "" || url == EmbeddedURL:
		if tr.Embedded == nil {
			return Creds{}, errors.New("this process cannot start an embedded cluster server: give the URL of one (gomp cluster serve)")
		}
		return tr.Embedded.notebookCreds()
	case strings.Contains(url, "://"):
		c := Creds{URL: url}
		if file := os.Getenv("GOMP_CLUSTER_CREDS"); file != "" && !strings.Contains(url, "@") {
			fc, err := ReadCreds(file)
			if err != nil {
				return Creds{}, fmt.Errorf("GOMP_CLUSTER_CREDS: %w", err)
			}
			if fc.Role == RoleWorker {
				return Creds{}, fmt.Errorf("GOMP_CLUSTER_CREDS: %s is a worker's credentials: a pool needs the notebook's (notebook-creds.json beside it)", file)
			}
			fc.URL = url
			c = fc
		}
		return c, nil
	}
	c, err := ReadCreds(url)
	if err != nil {
		return Creds{}, err
	}
	if c.Role == RoleWorker {
		// It may not publish tasks: the pool's calls would wait for ever.
		return Creds{}, fmt.Errorf("%s is a worker's credentials: a pool needs the notebook's (notebook-creds.json beside it)", url)
	}
	if c.URL == "" {
		return Creds{}, fmt.Errorf("cluster credentials %s hold no server URL", url)
	}
	return c, nil
}

// connect connects with c (and extra options) and makes sure the task
// stream exists.
func connect(c Creds, name string, extra ...nats.Option) (*nats.Conn, jetstream.JetStream, error) {
	opts, err := c.options()
	if err != nil {
		return nil, nil, err
	}
	url := c.URL
	opts = append(append(append(opts, reconnect()...), nats.Name(name)), extra...)
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("connect to %s: %w%s", redact(url), err, authHint(err, c))
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("jetstream on %s: %w", redact(url), err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := js.CreateOrUpdateStream(ctx, taskStream); err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("create stream %s: %w", streamName, err)
	}
	return nc, js, nil
}

// taskStream is the work queue of every pool's tasks.
var taskStream = jetstream.StreamConfig{
	Name:      streamName,
	Subjects:  []string{taskPrefix + ">"},
	Retention: jetstream.WorkQueuePolicy,
	Storage:   jetstream.FileStorage,
}

// reconnect is how clients ride out a restart of the server: they try
// again every two seconds for about a minute, then give up (a pool then
// fails its calls, a worker exits) rather than wait for ever.
func reconnect() []nats.Option {
	return []nats.Option{nats.MaxReconnects(30), nats.ReconnectWait(2 * time.Second)}
}

// authHint says what to do about a refused connection.
func authHint(err error, c Creds) string {
	if !errors.Is(err, nats.ErrAuthorization) && !strings.Contains(strings.ToLower(err.Error()), "authorization") {
		return ""
	}
	if c.Seed == "" && c.Token == "" && !strings.Contains(c.URL, "@") {
		return " (the server wants credentials: give the credentials file gomp cluster serve wrote, or the URL with its token)"
	}
	return " (these credentials are not the server's: it may have made new ones, see gomp cluster serve --new-token)"
}

// redact hides the token of a url in errors.
func redact(url string) string {
	for i := 0; i+3 <= len(url); i++ {
		if url[i:i+3] == "://" {
			for j := i + 3; j < len(url); j++ {
				switch url[j] {
				case '@':
					return url[:i+3] + "***" + url[j:]
				case '/':
					return url
				}
			}
			return url
		}
	}
	return url
}

// pool is one mp pool's connection.
type pool struct {
	nc      *nats.Conn
	js      jetstream.JetStream
	sub     *nats.Subscription
	adv     *nats.Subscription
	id      string
	ctx     context.Context // done when the pool is closed
	stop    context.CancelFunc
	version string

	snapMu sync.Mutex
	stored map[string]bool // snapshots in the object store, by name

	binMu    sync.Mutex
	binaries map[string]string // compiled workers' names in the store, by path

	mu      sync.Mutex
	seq     uint64
	pending map[string]*pending // tasks waiting for their result, by id
	bySeq   map[uint64]string   // their ids by stream sequence
}

// maxDeliveriesAdvisory is the subject on which JetStream says that a
// task reached MaxDeliver deliveries without being acknowledged.
const maxDeliveriesAdvisory = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + streamName + "." + consumerName

// advisory fails the task a max-deliveries advisory names: its workers
// died (or were cut off) MaxDeliver times while running it.
func (p *pool) advisory(m *nats.Msg) {
	var a struct {
		StreamSeq  uint64 `json:"stream_seq"`
		Deliveries uint64 `json:"deliveries"`
	}
	if json.Unmarshal(m.Data, &a) != nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	id, ok := p.bySeq[a.StreamSeq]
	if !ok {
		return
	}
	delete(p.bySeq, a.StreamSeq)
	if t := p.pending[id]; t != nil {
		delete(p.pending, id)
		// The last attempt's output is shown: what it printed before it died.
		t.done <- reply{attempt: fmt.Sprintf("%d.%d", a.StreamSeq, a.Deliveries), fail: fmt.Sprintf("the workers running it died or were cut off %d times", a.Deliveries)}
	}
}

// pending is a task waiting for its result. Output pieces are kept by
// attempt (delivery) until one attempt's result comes: that attempt's
// output is written, in order, before Run returns, and a retried task's
// earlier attempts' output is dropped, so that nothing shows twice.
type pending struct {
	msg  *nats.Msg // the task as published, for publishing again
	what string    // "items 0-9", for errors
	seq  uint64    // its stream sequence
	out  map[string][]piece
	done chan reply
}

type piece struct {
	stderr bool
	data   []byte
}

type reply struct {
	attempt string
	body    []byte
	fail    string
}

// reply routes one reply message to its task. Replies of a task that is
// done (a redelivered task's second result) are dropped.
func (p *pool) reply(m *nats.Msg) {
	id := m.Header.Get(hTask)
	attempt := m.Header.Get(hAttempt)
	p.mu.Lock()
	defer p.mu.Unlock()
	t := p.pending[id]
	if t == nil {
		return
	}
	switch kind := m.Header.Get(hKind); kind {
	case kindOut, kindErr:
		t.out[attempt] = append(t.out[attempt], piece{stderr: kind == kindErr, data: m.Data})
	case kindResult:
		if n, err := strconv.Atoi(m.Header.Get(hPieces)); err == nil && n != len(t.out[attempt]) {
			// Some of this attempt's output was lost (sent while this
			// pool was reconnecting): wait for the attempt republish
			// started, which shows all of its output.
			delete(t.out, attempt)
			return
		}
		delete(p.pending, id)
		t.done <- reply{attempt: attempt, body: m.Data}
	case kindFail:
		delete(p.pending, id)
		t.done <- reply{attempt: attempt, fail: string(m.Data)}
	}
}

// Run publishes t on the pool's task subject and waits for its result.
func (p *pool) Run(ctx context.Context, t mp.ClusterTask) ([]byte, error) {
	snap, err := p.store(ctx, t.Snapshot)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	p.seq++
	id := strconv.FormatUint(p.seq, 10)
	w := &pending{what: itemsOf(t), out: map[string][]piece{}, done: make(chan reply, 1)}
	p.pending[id] = w
	p.mu.Unlock()
	forget := func() {
		p.mu.Lock()
		delete(p.pending, id)
		delete(p.bySeq, w.seq)
		p.mu.Unlock()
	}
	m := nats.NewMsg(taskPrefix + p.id)
	m.Header.Set(hVersion, p.version)
	m.Header.Set(hTask, id)
	m.Header.Set(hPool, p.id)
	m.Header.Set(hSnap, snap)
	m.Header.Set(hTarget, t.Target)
	m.Header.Set(hFirst, strconv.Itoa(t.First))
	items := t.Items
	if t.InitTarget != "" {
		m.Header.Set(hInit, t.InitTarget)
		items = append([][]byte{t.InitArgs}, items...)
	}
	if t.MaxTasks > 0 {
		m.Header.Set(hMaxTasks, strconv.Itoa(t.MaxTasks))
	}
	if t.Prefix {
		m.Header.Set(hPrefix, "1")
	}
	if t.Binary != "" {
		bin, err := p.storeBinary(ctx, t.Binary)
		if err != nil {
			return nil, err
		}
		m.Header.Set(hBinary, bin)
	}
	m.Data = encodeItems(items)
	w.msg = m
	ack, err := p.js.PublishMsg(ctx, m)
	if err != nil {
		forget()
		return nil, fmt.Errorf("publish task: %w", err)
	}
	p.mu.Lock()
	w.seq = ack.Sequence
	if p.pending[id] == w {
		p.bySeq[ack.Sequence] = id
	}
	p.mu.Unlock()
	select {
	case r := <-w.done:
		p.mu.Lock()
		delete(p.bySeq, w.seq)
		out := w.out[r.attempt]
		p.mu.Unlock()
		for _, pc := range out {
			dst := t.Stdout
			if pc.stderr {
				dst = t.Stderr
			}
			if dst != nil {
				dst.Write(pc.data)
			}
		}
		if r.fail != "" {
			return nil, fmt.Errorf("%s: %s", w.what, r.fail)
		}
		return r.body, nil
	case <-ctx.Done():
		p.mu.Lock()
		seq := w.seq
		p.mu.Unlock()
		forget()
		p.cancel(id, seq)
		return nil, ctx.Err()
	}
}

// republish publishes every waiting task again after the connection to
// the server came back: a reply sent while the kernel was disconnected
// is lost, and the task would wait for ever. The old message is deleted
// if no worker holds it; a task that now runs twice is answered once (the
// first result wins, see reply), with that attempt's output.
func (p *pool) republish() {
	ctx, cancel := context.WithTimeout(p.ctx, 30*time.Second)
	defer cancel()
	s, err := p.js.Stream(ctx, streamName)
	p.mu.Lock()
	type again struct {
		id  string
		w   *pending
		seq uint64
	}
	var ts []again
	for id, w := range p.pending {
		ts = append(ts, again{id, w, w.seq})
	}
	p.mu.Unlock()
	for _, t := range ts {
		if err == nil {
			s.DeleteMsg(ctx, t.seq)
		}
		ack, perr := p.js.PublishMsg(ctx, t.w.msg)
		p.mu.Lock()
		if perr != nil {
			if p.pending[t.id] == t.w {
				delete(p.pending, t.id)
				t.w.done <- reply{fail: fmt.Sprintf("publish again after the server came back: %v", perr)}
			}
		} else if p.pending[t.id] == t.w {
			delete(p.bySeq, t.w.seq)
			t.w.seq = ack.Sequence
			p.bySeq[ack.Sequence] = t.id
		}
		p.mu.Unlock()
	}
}

// lost fails every waiting task once the connection is closed for good
// (the server stayed away longer than the reconnect attempts, or Close).
func (p *pool) lost(nc *nats.Conn) {
	why := "lost the connection to the cluster server"
	if err := nc.LastError(); err != nil {
		why += ": " + err.Error()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for id, t := range p.pending {
		delete(p.pending, id)
		t.done <- reply{fail: why}
	}
}

// cancel withdraws an interrupted task: from the stream if no worker has
// taken it, and from the worker running it, which stops it.
func (p *pool) cancel(id string, seq uint64) {
	ctx, done := context.WithTimeout(context.Background(), 5*time.Second)
	defer done()
	if s, err := p.js.Stream(ctx, streamName); err == nil {
		s.DeleteMsg(ctx, seq)
	}
	p.nc.Publish(cancelPrefix+p.id, []byte(id))
	p.nc.Flush()
}

// itemsOf names the items of t for errors.
func itemsOf(t mp.ClusterTask) string {
	switch {
	case t.First < 0:
		return "the call"
	case len(t.Items) == 1:
		return fmt.Sprintf("item %d", t.First)
	}
	return fmt.Sprintf("items %d-%d", t.First, t.First+len(t.Items)-1)
}

// store puts snap in the object store unless it is there, and returns
// its name.
func (p *pool) store(ctx context.Context, snap []byte) (string, error) {
	name := snapName(snap)
	p.snapMu.Lock()
	defer p.snapMu.Unlock()
	if p.stored[name] {
		return name, nil
	}
	obs, err := snapshots(ctx, p.js)
	if err != nil {
		return "", err
	}
	if _, err := obs.GetInfo(ctx, name); err != nil {
		if _, err := obs.PutBytes(ctx, name, snap); err != nil {
			return "", fmt.Errorf("store notebook snapshot: %w", err)
		}
	}
	if p.stored == nil {
		p.stored = map[string]bool{}
	}
	p.stored[name] = true
	return name, nil
}

// storeBinary puts the compiled worker at path in the binary store unless
// it is there, with the platform and gomp version it was built for, and
// returns its name (its SHA-256). A build's path holds one build for good
// (the builder names it after its inputs), so each is hashed once.
func (p *pool) storeBinary(ctx context.Context, path string) (string, error) {
	p.binMu.Lock()
	defer p.binMu.Unlock()
	if name, ok := p.binaries[path]; ok {
		return name, nil
	}
	name, err := fileHash(path)
	if err != nil {
		return "", fmt.Errorf("store compiled worker: %w", err)
	}
	obs, err := binaries(ctx, p.js)
	if err != nil {
		return "", err
	}
	if _, err := obs.GetInfo(ctx, name); err != nil {
		f, err := os.Open(path)
		if err != nil {
			return "", fmt.Errorf("store compiled worker: %w", err)
		}
		defer f.Close()
		meta := jetstream.ObjectMeta{Name: name, Metadata: map[string]string{
			metaPlatform: platform(), metaVersion: p.version,
		}}
		if _, err := obs.Put(ctx, meta, f); err != nil {
			return "", fmt.Errorf("store compiled worker %s: %w", path, err)
		}
	}
	if p.binaries == nil {
		p.binaries = map[string]string{}
	}
	p.binaries[path] = name
	return name, nil
}

// snapshots opens (or makes) the snapshot store.
func snapshots(ctx context.Context, js jetstream.JetStream) (jetstream.ObjectStore, error) {
	obs, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: snapBucket, Storage: jetstream.FileStorage, TTL: 24 * time.Hour})
	if err != nil {
		return nil, fmt.Errorf("open snapshot store: %w", err)
	}
	return obs, nil
}

// Close drops the pool's tasks that no worker has taken and disconnects.
func (p *pool) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var err error
	if s, e := p.js.Stream(ctx, streamName); e == nil {
		err = s.Purge(ctx, jetstream.WithPurgeSubject(taskPrefix+p.id))
	}
	p.stop()
	p.nc.Close()
	if err != nil {
		return fmt.Errorf("purge pool tasks: %w", err)
	}
	return nil
}
