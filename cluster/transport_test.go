package cluster

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gomp-kernel/gomp/mp"
)

// serve starts an embedded server on a free loopback port for one test.
func serve(t *testing.T) *Server {
	t.Helper()
	s, err := Serve(ServerOptions{Listen: "127.0.0.1:0", StoreDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	return s
}

func TestWrongTokenRefused(t *testing.T) {
	s := serve(t)
	bad := strings.Replace(s.URL(), s.Token(), "not-the-token", 1)
	_, err := (Transport{Version: "v"}).Open(bad)
	if err == nil || !strings.Contains(err.Error(), "uthorization") {
		t.Fatalf("Open with a wrong token: %v, want an authorization error", err)
	}
	if strings.Contains(err.Error(), "not-the-token") {
		t.Errorf("the error shows the token: %v", err)
	}
	noToken := strings.Replace(s.URL(), s.Token()+"@", "", 1)
	if err := Join(context.Background(), WorkerOptions{URL: noToken, Token: "wrong", Version: "v"}); err == nil || !strings.Contains(err.Error(), "uthorization") {
		t.Fatalf("Join with a wrong token: %v, want an authorization error", err)
	}
}

// TestVersionMismatch runs a worker of another version: the task fails
// with both versions named, and no worker process is started.
func TestVersionMismatch(t *testing.T) {
	s := serve(t)
	ctx, cancel := context.WithCancel(context.Background())
	joined := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- Join(ctx, WorkerOptions{URL: s.URL(), Version: "9.9.9", Slots: 1, Ready: func() { close(joined) }})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Join: %v", err)
		}
	}()
	<-joined
	p, err := (Transport{Version: "1.0.0"}).Open(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	rctx, rcancel := context.WithTimeout(context.Background(), time.Minute)
	defer rcancel()
	_, err = p.Run(rctx, mp.ClusterTask{Target: "f", First: 0, Items: [][]byte{{0}}, Snapshot: []byte("snap")})
	if err == nil || !strings.Contains(err.Error(), "runs gomp 9.9.9, the kernel gomp 1.0.0") || !strings.Contains(err.Error(), "item 0") {
		t.Fatalf("Run on a worker of another version: %v", err)
	}
}
