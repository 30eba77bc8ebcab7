package cluster

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gomp-kernel/gomp/mp"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"
)

// joinAs joins a worker of gomp 9.9.9 with c for the test's duration: a
// task it is given fails at once, naming both versions, which shows that
// it was delivered.
func joinAs(t *testing.T, c Creds) {
	t.Helper()
	joinVersion(t, c, "9.9.9")
}

// joinVersion joins a worker of gomp version with c for the test's
// duration.
func joinVersion(t *testing.T, c Creds, version string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	joined := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- Join(ctx, WorkerOptions{URL: c.URL, Token: c.Token, Nkey: c.Seed, CA: c.CA, Version: version, Slots: 1, Ready: func() { close(joined) }})
	}()
	select {
	case <-joined:
	case err := <-done:
		t.Fatalf("Join: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Join: %v", err)
		}
	})
}

// runOnce runs one task through a pool opened at url and returns its error.
func runOnce(t *testing.T, tr Transport, url string) error {
	t.Helper()
	p, err := tr.Open(url)
	if err != nil {
		t.Fatalf("Open(%q): %v", url, err)
	}
	defer p.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = p.Run(ctx, mp.ClusterTask{Target: "f", First: 0, Items: [][]byte{{0}}, Snapshot: []byte("snap")})
	return err
}

// credsFile writes c for a pool to open by path.
func credsFile(t *testing.T, c Creds) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "creds.json")
	if err := c.Write(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// forged is a task as a kernel would publish it, of gomp 1.0.0, to pool.
func forged(pool string) *nats.Msg {
	m := nats.NewMsg(taskPrefix + pool)
	m.Header.Set(hVersion, "1.0.0")
	m.Header.Set(hTask, "1")
	m.Header.Set(hPool, pool)
	m.Header.Set(hSnap, snapName([]byte("snap")))
	m.Header.Set(hTarget, "f")
	m.Header.Set(hFirst, "0")
	m.Data = encodeItems([][]byte{{0}})
	return m
}

// TestForgedTasksNeverRun has peers without the right credentials try to
// put a task before a joined worker: none reaches it. A raw NATS client
// publishes each forgery, then a notebook credential publishes a genuine
// task: the worker answers the genuine one, and, taking tasks in order,
// would have answered any forgery first.
func TestForgedTasksNeverRun(t *testing.T) {
	s, err := Serve(ServerOptions{Listen: "127.0.0.1:0", StoreDir: t.TempDir(), Groups: []string{"physics"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	worker, _ := s.Creds(DefaultGroup, RoleWorker)
	notebook, _ := s.Creds(DefaultGroup, RoleNotebook)
	physics, _ := s.Creds("physics", RoleNotebook)
	joinAs(t, worker)
	watch := connectAs(t, notebook)
	replies := make(chan *nats.Msg, 16)
	if _, err := watch.ChanSubscribe(replyPrefix+">", replies); err != nil {
		t.Fatal(err)
	}
	watch.Flush()

	stranger, _ := nkeys.CreateUser()
	strangerSeed, _ := stranger.Seed()
	refused := []struct {
		name  string
		creds Creds
	}{
		{"no credentials", Creds{URL: s.url}},
		{"wrong token", Creds{URL: s.url, Token: "not-the-token"}},
		{"unknown nkey", Creds{URL: s.url, Seed: string(strangerSeed)}},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			opts, err := tc.creds.options()
			if err != nil {
				t.Fatal(err)
			}
			nc, err := nats.Connect(tc.creds.URL, opts...)
			if err == nil {
				nc.PublishMsg(forged("forged-" + strings.ReplaceAll(tc.name, " ", "-")))
				nc.Flush()
				nc.Close()
				t.Fatalf("the server let a client with %s in", tc.name)
			}
			if !strings.Contains(strings.ToLower(err.Error()), "authorization") {
				t.Errorf("connect with %s: %v, want an authorization error", tc.name, err)
			}
		})
	}
	t.Run("worker credential", func(t *testing.T) {
		nc := connectAs(t, worker)
		errs := make(chan error, 4)
		nc.SetErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { errs <- err })
		if err := nc.PublishMsg(forged("forged-by-worker")); err != nil {
			t.Fatal(err)
		}
		nc.Flush()
		select {
		case err := <-errs:
			if !strings.Contains(err.Error(), "Permissions Violation") {
				t.Errorf("a worker publishing a task: %v, want a permissions violation", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("a worker published a task and the server said nothing")
		}
		// Nor may it make the task stream take messages from a stream of
		// its own.
		js, _ := jetstream.New(nc)
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		cfg := taskStream
		cfg.Sources = []*jetstream.StreamSource{{Name: "OTHER"}}
		if _, err := js.UpdateStream(ctx, cfg); err == nil {
			t.Errorf("a worker changed the task stream")
		}
	})
	t.Run("another group's notebook", func(t *testing.T) {
		nc := connectAs(t, physics)
		js, _ := jetstream.New(nc)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := js.PublishMsg(ctx, forged("forged-by-physics")); err != nil {
			t.Fatalf("publish in the physics group: %v", err)
		}
	})
	// The genuine task, after every forgery.
	nc := connectAs(t, notebook)
	js, _ := jetstream.New(nc)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := js.PublishMsg(ctx, forged("genuine")); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-replies:
		if m.Subject != replyPrefix+"genuine" {
			t.Fatalf("the worker ran a forged task: %s %q", m.Subject, m.Data)
		}
		if !strings.Contains(string(m.Data), "runs gomp 9.9.9") {
			t.Fatalf("genuine task: %q", m.Data)
		}
	case <-ctx.Done():
		t.Fatal("the worker never answered the genuine task")
	}
	// The physics task waits, unrun, in its own group's queue.
	pjs, _ := jetstream.New(connectAs(t, physics))
	st, err := pjs.Stream(ctx, streamName)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := st.Info(ctx); err != nil || info.State.Msgs != 1 {
		t.Errorf("physics queue: %+v, %v; want its one task still there", info, err)
	}
}

// connectAs connects a raw NATS client with c for the test's duration.
func connectAs(t *testing.T, c Creds) *nats.Conn {
	t.Helper()
	opts, err := c.options()
	if err != nil {
		t.Fatal(err)
	}
	nc, err := nats.Connect(c.URL, opts...)
	if err != nil {
		t.Fatalf("connect as %s of %s: %v", c.Role, c.Group, err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// TestGroupsKeepTheirTasks runs tasks of a group with a worker of it and
// one of the default group joined: only the group's worker answers them
// (the two are told apart by their versions).
func TestGroupsKeepTheirTasks(t *testing.T) {
	dir := t.TempDir()
	s, err := Serve(ServerOptions{Listen: "127.0.0.1:0", StoreDir: t.TempDir(), Groups: []string{"physics"}, CredsDir: dir, NoToken: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	if s.URL() != "" {
		t.Errorf("NoToken server's token URL is %q", s.URL())
	}
	for _, g := range [][]string{{"embedded"}, {"a b"}, {"x", "x"}, {DefaultGroup}} {
		if _, err := Serve(ServerOptions{Listen: "127.0.0.1:0", StoreDir: t.TempDir(), Groups: g}); err == nil || !strings.Contains(err.Error(), "group") {
			t.Errorf("groups %q: %v, want them refused", g, err)
		}
	}
	for _, f := range []string{"notebook-creds.json", "worker-creds.json", "physics/notebook-creds.json", "physics/worker-creds.json"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, %v; want it written, mode 0600", f, fi, err)
		}
	}
	physicsWorker, err := ReadCreds(filepath.Join(dir, "physics", "worker-creds.json"))
	if err != nil {
		t.Fatal(err)
	}
	joinAs(t, physicsWorker)
	other, _ := s.Creds(DefaultGroup, RoleWorker)
	joinVersion(t, other, "8.8.8")
	// Tasks go to whichever worker asks first: of eight tasks, the
	// default group's worker would take some if it could.
	for range 8 {
		err := runOnce(t, Transport{Version: "1.0.0"}, filepath.Join(dir, "physics", "notebook-creds.json"))
		if err == nil || !strings.Contains(err.Error(), "runs gomp 9.9.9") {
			t.Fatalf("a physics task: %v, want it run by the physics worker (of 9.9.9)", err)
		}
	}
}

// selfSigned writes a self-signed certificate for 127.0.0.1 (or the
// hosts named) and its key.
func selfSigned(t *testing.T, dnsNames ...string) (cert, key string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gomp test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: dnsNames, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	return cert, key
}

// TestTLS serves with a self-signed certificate: clients whose
// credentials carry it as their CA run a task; a client that does not
// trust it is refused.
func TestTLS(t *testing.T) {
	// A certificate for another name than the address listened on (a
	// lab's): the server still sets itself up.
	labCert, labKey := selfSigned(t, "lab.example")
	lab, err := Serve(ServerOptions{Listen: "0.0.0.0:0", StoreDir: t.TempDir(), TLSCert: labCert, TLSKey: labKey, Advertise: "lab.example:4222"})
	if err != nil {
		t.Fatalf("serve with a certificate for lab.example: %v", err)
	}
	if c, _ := lab.Creds(DefaultGroup, RoleWorker); c.URL != "nats://lab.example:4222" {
		t.Errorf("advertised URL %q, want nats://lab.example:4222", c.URL)
	}
	lab.Shutdown()
	cert, key := selfSigned(t)
	s, err := Serve(ServerOptions{Listen: "127.0.0.1:0", StoreDir: t.TempDir(), TLSCert: cert, TLSKey: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	worker, _ := s.Creds(DefaultGroup, RoleWorker)
	notebook, _ := s.Creds(DefaultGroup, RoleNotebook)
	if !strings.Contains(notebook.CA, "BEGIN CERTIFICATE") {
		t.Fatalf("the notebook's credentials carry no CA: %q", notebook.CA)
	}
	joinAs(t, worker)
	err = runOnce(t, Transport{Version: "1.0.0"}, credsFile(t, notebook))
	if err == nil || !strings.Contains(err.Error(), "runs gomp 9.9.9") {
		t.Fatalf("a task over TLS: %v, want it run by the worker (of 9.9.9)", err)
	}
	untrusting := notebook
	untrusting.CA = ""
	if _, err := (Transport{Version: "1.0.0"}).Open(credsFile(t, untrusting)); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("a client that does not trust the certificate: %v, want it refused", err)
	}
	if _, err := (Transport{Version: "1.0.0"}).Open(credsFile(t, worker)); err == nil || !strings.Contains(err.Error(), "worker's credentials") {
		t.Errorf("a pool with a worker's credentials: %v, want it refused", err)
	}
	if _, err := Serve(ServerOptions{Listen: "127.0.0.1:0", StoreDir: t.TempDir(), TLSCert: cert}); err == nil {
		t.Errorf("a certificate without its key was served")
	}
}

// TestEmbedded starts the embedded server for a pool, lets a second
// owner-to-be join it instead of starting another, lets a worker find it
// by its credentials file, and stops it with its owner.
func TestEmbedded(t *testing.T) {
	config, cache := t.TempDir(), t.TempDir()
	owner := &Embedded{ConfigDir: config, CacheDir: cache}
	defer owner.Close()
	if _, err := EmbeddedWorkerCreds(config); err == nil || !strings.Contains(err.Error(), "mp.WithCluster(\"\")") {
		t.Errorf("worker credentials before any server: %v, want an error saying how to start one", err)
	}
	p, err := (Transport{Version: "1.0.0", Embedded: owner}).Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	s := owner.Running()
	if s == nil {
		t.Fatal("no embedded server running after a pool asked for one")
	}
	if host, _, _ := net.SplitHostPort(s.Addr()); host != "127.0.0.1" {
		t.Errorf("embedded server on %s, want loopback only", s.Addr())
	}
	wc, err := EmbeddedWorkerCreds(config)
	if err != nil {
		t.Fatal(err)
	}
	joinAs(t, wc)
	other := &Embedded{ConfigDir: config, CacheDir: cache}
	defer other.Close()
	err = runOnce(t, Transport{Version: "1.0.0", Embedded: other}, EmbeddedURL)
	if err == nil || !strings.Contains(err.Error(), "runs gomp 9.9.9") {
		t.Fatalf("a task of a second process: %v, want it run by the worker", err)
	}
	if other.Running() != nil {
		t.Errorf("a second process started its own server while the first owns one")
	}
	if _, err := (Transport{Version: "1.0.0"}).Open(""); err == nil {
		t.Errorf("a transport without Embedded opened the embedded cluster")
	}
	addr := s.Addr()
	p.Close()
	owner.Close()
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatalf("the embedded server still listens on %s after its owner closed", addr)
	}
	// The next owner takes the same port, so that workers reconnect.
	p2, err := (Transport{Version: "1.0.0", Embedded: other}).Open("")
	if err != nil {
		t.Fatal(err)
	}
	defer p2.Close()
	if r := other.Running(); r == nil || r.Addr() != addr {
		t.Errorf("the next owner's server: %v, want one on %s", r, addr)
	}
}

// TestPortZeroIsAnyFreePort serves twice on port 0: each gets a free
// port of its own (NATS would read 0 as 4222, and the second would fail).
func TestPortZeroIsAnyFreePort(t *testing.T) {
	a, b := serve(t), serve(t)
	if a.Addr() == b.Addr() || strings.HasSuffix(a.Addr(), ":4222") {
		t.Errorf("two servers on port 0 listen on %s and %s", a.Addr(), b.Addr())
	}
}

// TestCredsKeptAcrossRestarts restarts a server on its credentials
// directory: its clients' credentials still work; NewCreds replaces them.
func TestCredsKeptAcrossRestarts(t *testing.T) {
	dir, store := t.TempDir(), t.TempDir()
	seeds := func() string {
		c, err := ReadCreds(CredsFile(dir, DefaultGroup, RoleWorker))
		if err != nil {
			t.Fatal(err)
		}
		return c.Seed
	}
	for i, tc := range []struct {
		newCreds bool
		same     bool
	}{{false, false}, {false, true}, {true, false}} {
		var before string
		if i > 0 {
			before = seeds()
		}
		s, err := Serve(ServerOptions{Listen: "127.0.0.1:0", StoreDir: store, CredsDir: dir, NewCreds: tc.newCreds})
		if err != nil {
			t.Fatal(err)
		}
		after := seeds()
		if i > 0 && (after == before) != tc.same {
			t.Errorf("restart %d (NewCreds %v): worker seed kept %v, want %v", i, tc.newCreds, after == before, tc.same)
		}
		c, _ := s.Creds(DefaultGroup, RoleWorker)
		connectAs(t, Creds{URL: c.URL, Seed: after}).Close()
		s.Shutdown()
	}
}
