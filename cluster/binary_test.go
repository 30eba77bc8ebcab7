package cluster

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func TestUsable(t *testing.T) {
	const plat, version = "linux/amd64", "1.2.0"
	tests := []struct {
		name string
		meta map[string]string
		ok   bool
		why  string
	}{
		{"same", map[string]string{metaPlatform: plat, metaVersion: version}, true, ""},
		{"other arch", map[string]string{metaPlatform: "linux/arm64", metaVersion: version}, false, "built for linux/arm64, this worker runs on linux/amd64"},
		{"other version", map[string]string{metaPlatform: plat, metaVersion: "1.1.0"}, false, "built by gomp 1.1.0, this worker is gomp 1.2.0"},
		{"no metadata", nil, false, "built for an unknown one"},
		{"no version", map[string]string{metaPlatform: plat}, false, "built by gomp an unknown one"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, why := usable(tt.meta, version, plat)
			if ok != tt.ok || !strings.Contains(why, tt.why) || (tt.ok && why != "") {
				t.Errorf("usable(%v) = %v, %q; want %v, %q", tt.meta, ok, why, tt.ok, tt.why)
			}
		})
	}
}

// TestBinaryThroughStore stores a "compiled worker" the way a kernel's
// pool does and takes it the way a joined worker does, on a real
// embedded server: fetched once into the cache under its hash, made
// executable; one of another platform or version is not fetched, and the
// worker says why.
func TestBinaryThroughStore(t *testing.T) {
	s := serve(t)
	nc, err := nats.Connect(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	exe := filepath.Join(t.TempDir(), "worker")
	content := bytes.Repeat([]byte("compiled worker\n"), 40000) // several chunks
	if err := os.WriteFile(exe, content, 0o755); err != nil {
		t.Fatal(err)
	}
	p := &pool{js: js, version: "1.0.0"}
	name, err := p.storeBinary(ctx, exe)
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := fileHash(exe); h != name {
		t.Fatalf("stored as %s, want its SHA-256 %s", name, h)
	}
	bins, err := binaries(ctx, js)
	if err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	j := &joined{bins: bins, binDir: t.TempDir(), version: "1.0.0", log: &log, exes: map[string]string{}, failed: map[string]bool{}}
	// Not in the store (yet): interpreted for now, said once, and tried
	// again for the next task.
	missing := strings.Repeat("0", 64)
	for range 2 {
		if got := j.binary(ctx, "P0", missing); got != "" {
			t.Fatalf("binary of a missing object = %q", got)
		}
	}
	if n := strings.Count(log.String(), "run interpreted until compiled worker 000000000000 can be fetched"); n != 1 {
		t.Errorf("a failed fetch is said %d times, want once:\n%s", n, log.String())
	}
	if _, cached := j.exes[missing]; cached {
		t.Errorf("a failed fetch is remembered as final")
	}
	log.Reset()
	got := j.binary(ctx, "P1", name)
	if got != filepath.Join(j.binDir, name) {
		t.Fatalf("binary = %q, want it in the cache under its hash", got)
	}
	data, err := os.ReadFile(got)
	if err != nil || !bytes.Equal(data, content) {
		t.Fatalf("fetched copy differs from the stored binary (%v)", err)
	}
	if fi, err := os.Stat(got); err != nil || fi.Mode().Perm()&0o100 == 0 {
		t.Fatalf("fetched copy is not executable: %v %v", fi.Mode(), err)
	}
	// Once: a second task finds it without the store.
	if err := bins.Delete(ctx, name); err != nil {
		t.Fatal(err)
	}
	if again := j.binary(ctx, "P1", name); again != got {
		t.Errorf("second binary = %q, want the cached %q", again, got)
	}
	if n := strings.Count(log.String(), "running compiled worker"); n != 1 {
		t.Errorf("log says it runs the compiled worker %d times, want once:\n%s", n, log.String())
	}
	// Another version's binary is never run, and the worker says so.
	other := &joined{bins: bins, binDir: t.TempDir(), version: "2.0.0", log: &log, exes: map[string]string{}, failed: map[string]bool{}}
	p2 := &pool{js: js, version: "1.0.0"}
	name2, err := p2.storeBinary(ctx, exe)
	if err != nil {
		t.Fatal(err)
	}
	log.Reset()
	if got := other.binary(ctx, "P2", name2); got != "" {
		t.Errorf("a worker of gomp 2.0.0 runs a binary built by 1.0.0: %q", got)
	}
	if !strings.Contains(log.String(), "tasks of pool P2 run interpreted") || !strings.Contains(log.String(), "built by gomp 1.0.0, this worker is gomp 2.0.0") {
		t.Errorf("log does not say why the compiled worker is not run:\n%s", log.String())
	}
	if entries, _ := os.ReadDir(other.binDir); len(entries) != 0 {
		t.Errorf("the refused binary was fetched: %v", entries)
	}
}
