package e2e

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"maps"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/nats-io/nkeys"
)

// TestClusterAuth serves a cluster with TLS (a self-signed certificate
// the test makes), nkeys only and a second group, and joins a worker of
// each group with the credentials files gomp cluster serve wrote: a
// notebook of the group runs only on that group's worker, and tasks
// forged by raw NATS clients without a notebook credential never reach a
// worker.
func TestClusterAuth(t *testing.T) {
	bin := installKernel(t).bin
	dir := t.TempDir()
	cert, key := selfSignedCert(t, dir)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	serve := exec.Command(bin, "cluster", "serve", "--listen", addr, "--store", filepath.Join(dir, "store"),
		"--creds", filepath.Join(dir, "creds", "token"), "--no-token", "--group", "physics", "--tls-cert", cert, "--tls-key", key)
	serve.Stderr = os.Stderr
	out, err := serve.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		serve.Process.Kill()
		serve.Wait()
	})
	r := bufio.NewReader(out)
	var said strings.Builder
	for !strings.Contains(said.String(), "group physics: notebooks use:") {
		line, err := r.ReadString('\n')
		said.WriteString(line)
		if err != nil {
			t.Fatalf("gomp cluster serve ended before naming the physics credentials: %v\n%s", err, said.String())
		}
	}
	go io.Copy(io.Discard, r)
	if strings.Contains(said.String(), "token") {
		t.Errorf("gomp cluster serve --no-token speaks of a token:\n%s", said.String())
	}
	creds := filepath.Join(dir, "creds")
	if _, err := os.Stat(filepath.Join(creds, "token")); err == nil {
		t.Errorf("gomp cluster serve --no-token wrote a token file")
	}
	defaultWorker := startJoined(t, bin, nil, "worker", "--creds", filepath.Join(creds, "worker-creds.json"), "--slots", "2", "--ack-wait", "2s")
	t.Run("forged tasks never reach a worker", func(t *testing.T) {
		testForgedTasks(t, addr, cert, creds)
	})
	physicsWorker := startJoined(t, bin, nil, "worker", "--creds", filepath.Join(creds, "physics", "worker-creds.json"), "--slots", "2", "--ack-wait", "2s")
	t.Run("a group's pool runs on its workers only", func(t *testing.T) {
		nbDir := t.TempDir()
		const n = 16
		text := runClusterNotebook(t, bin, nbDir, clusterCells(filepath.Join(creds, "physics", "notebook-creds.json"), nbDir, n, 20), nil)
		pids := checkClusterOutput(t, text, n)
		if len(pids) != 1 || !pids[physicsWorker.Pid] {
			t.Errorf("the physics pool ran on %v, want only its worker %d (not %d):\n%s", slices.Collect(maps.Keys(pids)), physicsWorker.Pid, defaultWorker.Pid, text)
		}
	})
}

// testForgedTasks has raw NATS clients try to queue a task in the default
// group, whose worker is joined: without credentials, with a wrong token,
// with an unknown nkey, and with the worker's own credential. Then the
// notebook credential looks at the queue: nothing in it, nothing ever
// delivered.
func testForgedTasks(t *testing.T, addr, cert, creds string) {
	url := "nats://" + addr
	stranger, _ := nkeys.CreateUser()
	strangerSeed, _ := stranger.Seed()
	worker := readSeed(t, filepath.Join(creds, "worker-creds.json"))
	for _, tc := range []struct {
		name string
		seed []byte
		opts []nats.Option
	}{
		{name: "no credentials"},
		{name: "wrong token", opts: []nats.Option{nats.Token("not-the-token")}},
		{name: "unknown nkey", seed: strangerSeed},
		{name: "worker credential", seed: worker},
	} {
		opts := append(tc.opts, nats.RootCAs(cert))
		if tc.seed != nil {
			opts = append(opts, nkeyOption(t, tc.seed))
		}
		nc, err := nats.Connect(url, opts...)
		if err != nil {
			if tc.seed != nil && string(tc.seed) == string(worker) {
				t.Fatalf("the worker credential was refused: %v", err)
			}
			continue
		}
		if tc.seed == nil || string(tc.seed) != string(worker) {
			t.Errorf("the server let a client with %s in", tc.name)
		}
		m := nats.NewMsg("gomp.task.forged")
		m.Header.Set("Gomp-Task", "1")
		m.Header.Set("Gomp-Pool", "forged")
		m.Data = []byte{1, 1, 0}
		nc.PublishMsg(m)
		nc.Flush()
		nc.Close()
	}
	nc, err := nats.Connect(url, nats.RootCAs(cert), nkeyOption(t, readSeed(t, filepath.Join(creds, "notebook-creds.json"))))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := js.Stream(ctx, "GOMP_TASKS")
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 0 || info.State.LastSeq != 0 {
		t.Errorf("the task queue took forged tasks: %+v", info.State)
	}
	cons, err := st.Consumer(ctx, "gomp-workers")
	if err != nil {
		t.Fatal(err)
	}
	ci, err := cons.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ci.Delivered.Consumer != 0 {
		t.Errorf("workers were handed %d tasks, want none", ci.Delivered.Consumer)
	}
}

// readSeed reads the nkey seed of a credentials file gomp cluster serve
// wrote.
func readSeed(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Seed string `json:"nkey_seed"`
	}
	if err := json.Unmarshal(data, &c); err != nil || c.Seed == "" {
		t.Fatalf("%s: no nkey seed (%v)", path, err)
	}
	return []byte(c.Seed)
}

// nkeyOption presents seed's nkey.
func nkeyOption(t *testing.T, seed []byte) nats.Option {
	t.Helper()
	kp, err := nkeys.FromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := kp.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return nats.Nkey(pub, kp.Sign)
}

// startJoined starts a `gomp worker` with args (and env added) and
// returns its process once it has joined. The test's cleanup kills it.
func startJoined(t *testing.T, bin string, env []string, args ...string) *os.Process {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if !strings.Contains(line, "joined") {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("gomp %s said %q (%v), want that it joined\n%s", strings.Join(args, " "), line, err, stderr.String())
	}
	go io.Copy(io.Discard, out)
	return cmd.Process
}

// selfSignedCert writes a self-signed certificate for 127.0.0.1 and its
// key in dir.
func selfSignedCert(t *testing.T, dir string) (cert, key string) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gomp e2e"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
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
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeFile(t, cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	writeFile(t, key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return cert, key
}

// TestClusterEmbedded runs a notebook whose pool names no cluster
// (mp.WithCluster("")): its kernel starts the embedded server, a
// `gomp worker --join` with no URL finds it through the user's config
// directory and runs the Map, and the server ends with the kernel.
func TestClusterEmbedded(t *testing.T) {
	bin := installKernel(t).bin
	home := t.TempDir()
	// The kernel (a child of gomp run) and the worker find each other
	// through these.
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, "cache"))
	workerCreds := filepath.Join(home, "config", "gomp", "cluster", "embedded", "worker-creds.json")
	_, stderr, code := runGomp(t, bin, home, nil, "worker", "--join", "--slots", "1")
	if code == 0 || !strings.Contains(stderr, "mp.WithCluster(\"\")") {
		t.Errorf("gomp worker --join before any embedded server: exit %d, %q; want an error saying how to start one", code, stderr)
	}
	dir := t.TempDir()
	const n = 12
	var worker *os.Process
	var addr string
	join := func() {
		waitFor(t, "the kernel to start the embedded server", func() bool {
			data, err := os.ReadFile(workerCreds)
			var c struct {
				URL string `json:"url"`
			}
			if err != nil || json.Unmarshal(data, &c) != nil {
				return false
			}
			addr = strings.TrimPrefix(c.URL, "nats://")
			conn, err := net.Dial("tcp", addr)
			if err == nil {
				conn.Close()
			}
			return err == nil
		})
		worker = startJoined(t, bin, nil, "worker", "--join", "--slots", "2")
	}
	text := runClusterNotebook(t, bin, dir, clusterCells("", dir, n, 20), join)
	pids := checkClusterOutput(t, text, n)
	if len(pids) != 1 || !pids[worker.Pid] {
		t.Errorf("items ran on %v, want the joined worker %d:\n%s", slices.Collect(maps.Keys(pids)), worker.Pid, text)
	}
	if host, _, _ := net.SplitHostPort(addr); host != "127.0.0.1" {
		t.Errorf("the embedded server listened on %s, want loopback only", addr)
	}
	if conn, err := net.Dial("tcp", addr); err == nil {
		conn.Close()
		t.Errorf("the embedded server on %s outlived the kernel that started it", addr)
	}
	fi, err := os.Stat(workerCreds)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("%s: %v %v, want mode 0600", workerCreds, fi, err)
	}
}
