package workerbuild

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func requireGo(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI needs the go command: %v", err)
		}
		t.Skip("no go command")
	}
}

// snapshotOf encodes a snapshot of fib and, when broken, a function gc
// rejects.
func snapshotOf(t *testing.T, fibBody string) []byte {
	t.Helper()
	st := snapshot{Decls: []record{
		fn("fib", "func fib(n int) int { "+fibBody+" }", 1),
		fn("broken", "func broken(n int) int {\n\tx := n\n\treturn n\n}", 4),
	}}
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const fibBody = "if n < 2 { return n }; return fib(n-1) + fib(n-2)"

func testBuilder(t *testing.T, cache string) *Builder {
	b := New(os.DirFS(".."), Options{CacheDir: cache})
	t.Cleanup(b.Close)
	return b
}

func TestBuildIsCachedAcrossBuilders(t *testing.T) {
	requireGo(t)
	cache := t.TempDir()
	snap := snapshotOf(t, fibBody)
	path, err := testBuilder(t, cache).Build([]string{"fib"}, snap).Wait(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(path) != cache {
		t.Fatalf("worker %s is not in the cache %s", path, cache)
	}
	// Another kernel with the same declarations finds it without a build.
	again, done, err := testBuilder(t, cache).Build([]string{"fib"}, snap).Ready()
	if !done || err != nil || again != path {
		t.Fatalf("second builder: %q, done %v, %v; want %q at once", again, done, err, path)
	}
	// A changed function is another worker.
	changed, err := testBuilder(t, cache).Build([]string{"fib"}, snapshotOf(t, "return n")).Wait(t.Context())
	if err != nil || changed == path {
		t.Fatalf("changed fib: %q, %v; want a new worker", changed, err)
	}
	// No build directory is left behind.
	if dirs, _ := filepath.Glob(filepath.Join(cache, "build-*")); len(dirs) > 0 {
		t.Errorf("left behind: %v", dirs)
	}
}

func TestBuildErrorInCellCoordinates(t *testing.T) {
	requireGo(t)
	b := testBuilder(t, t.TempDir())
	_, err := b.Build([]string{"broken"}, snapshotOf(t, fibBody)).Wait(t.Context())
	if err == nil || err.Error() != "compile: In[2]:5:2: declared and not used: x" {
		t.Fatalf("error %v, want the compiler's message at In[2]:5:2", err)
	}
	// The same failure is not built again.
	if again := b.Build([]string{"broken"}, snapshotOf(t, fibBody)); again != b.Build([]string{"broken"}, snapshotOf(t, fibBody)) {
		t.Error("a failed build was started again")
	}
}

func TestBuildRetriesAfterCacheFailure(t *testing.T) {
	requireGo(t)
	blocked := filepath.Join(t.TempDir(), "cache")
	if err := os.WriteFile(blocked, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	b := testBuilder(t, filepath.Join(blocked, "workers"))
	if _, err := b.Build([]string{"fib"}, snapshotOf(t, fibBody)).Wait(t.Context()); err == nil {
		t.Fatal("a cache under a file worked")
	}
	os.Remove(blocked)
	path, err := b.Build([]string{"fib"}, snapshotOf(t, fibBody)).Wait(t.Context())
	if err != nil {
		t.Fatalf("retry: %v", err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}

func TestInterruptedBuildLeavesNoWorker(t *testing.T) {
	requireGo(t)
	cache := t.TempDir()
	b := New(os.DirFS(".."), Options{CacheDir: cache})
	bd := b.Build([]string{"fib"}, snapshotOf(t, "return n * 7"))
	b.Close() // the kernel shuts down while it builds
	path, err := bd.Wait(t.Context())
	entries, _ := os.ReadDir(cache)
	switch {
	case err == nil:
		// The build won the race: then its worker is whole.
		if out, err := exec.Command("go", "version", path).CombinedOutput(); err != nil {
			t.Errorf("worker %s: %v %s", path, err, out)
		}
	case len(entries) != 0:
		t.Errorf("an interrupted build left %v", entries)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	if _, err := testBuilder(t, cache).Build([]string{"fib"}, snapshotOf(t, "return n * 7")).Wait(ctx); err != nil {
		t.Fatalf("the next kernel's build: %v", err)
	}
}

func TestTidy(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	for name, age := range map[string]time.Duration{
		"build-old": 2 * staleBuild, "build-new": time.Minute, "oldworker": 2 * unusedAfter, "newworker": time.Hour,
	} {
		p := filepath.Join(dir, name)
		var err error
		if strings.HasPrefix(name, "build-") {
			err = os.Mkdir(p, 0o755)
		} else {
			err = os.WriteFile(p, nil, 0o755)
		}
		if err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, now.Add(-age), now.Add(-age))
	}
	tidy(dir, now)
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if strings.Join(left, " ") != "build-new newworker" {
		t.Errorf("left %v, want build-new and newworker", left)
	}
}

// TestPrebuildBuildsWhatTheNextCallWants checks that after a cell changes
// a function, Prebuild starts the very build the next call of the same
// target looks for, and that with no call yet it builds every function.
func TestPrebuildBuildsWhatTheNextCallWants(t *testing.T) {
	requireGo(t)
	b := testBuilder(t, t.TempDir())
	b.Prebuild(snapshotOf(t, fibBody)) // no call yet: every function, broken included
	first, err := b.Build([]string{"fib"}, snapshotOf(t, fibBody)).Wait(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	b.mu.Lock()
	before := len(b.builds)
	b.mu.Unlock()
	changed := snapshotOf(t, "return n + 1")
	b.Prebuild(changed)
	b.mu.Lock()
	started := len(b.builds) - before
	b.mu.Unlock()
	if started != 1 {
		t.Fatalf("Prebuild after a change started %d builds, want 1", started)
	}
	next := b.Build([]string{"fib"}, changed)
	b.mu.Lock()
	after := len(b.builds) - before
	b.mu.Unlock()
	if after != 1 {
		t.Errorf("the call after Prebuild started a build of its own")
	}
	path, err := next.Wait(t.Context())
	if err != nil || path == first {
		t.Errorf("the changed fib's worker: %q, %v", path, err)
	}
}
