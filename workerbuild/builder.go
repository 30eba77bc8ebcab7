// Package workerbuild builds mp's compiled workers: from a notebook's
// snapshot it generates a Go main package holding the declarations a
// target needs (with line directives naming the cells) and a table of its
// functions, types and variables, and builds it with the Go toolchain into
// a cache shared by every kernel of the user, keyed by a hash of
// everything that goes into the build. It implements mp.Builder; main
// installs it in mp's Config.
//
// The program imports gomp's mp/compiledworker (and mp, display, widgets,
// and chart or check when the target uses them): gomp may run where its
// source is not, so the source of those packages travels inside the gomp
// binary (an fs.FS given to New) and is written into the build directory
// as a module that the program's go.mod replaces gomp with. All but chart
// need only the standard library, so a build needs no network and no
// module cache unless the target's code draws charts.
package workerbuild

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gomp-kernel/gomp/mp"
)

// Options configure a Builder.
type Options struct {
	// CacheDir holds the built workers; "" means os.UserCacheDir()/gomp/workers.
	CacheDir string
	// Go is the go command; "" means $GOMP_GO, else "go" on the PATH.
	Go string
	// Log receives the builder's diagnostics; nil discards them.
	Log *slog.Logger
}

// Builder builds compiled workers in the background, one go build at a
// time. Its zero value is not usable; make one with New and end it with
// Close.
type Builder struct {
	src   fs.FS
	opts  Options
	log   *slog.Logger
	ctx   context.Context
	stop  context.CancelFunc
	wg    sync.WaitGroup // builds under way
	slots chan struct{}  // one go build at a time

	mu      sync.Mutex
	builds  map[string]*build // by hash
	srcHash string
	srcErr  error
	goCmd   string
	goErr   *build     // the failed build every call gets without a toolchain
	targets [][]string // target sets asked for, latest last (for Prebuild)
	tidied  sync.Once
}

// New returns a Builder that builds workers from src, gomp's source: its
// go.mod and go.sum and the directories mp, mp/compiledworker, display and
// chart.
func New(src fs.FS, opts Options) *Builder {
	ctx, stop := context.WithCancel(context.Background())
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b := &Builder{src: src, opts: opts, log: log, ctx: ctx, stop: stop, slots: make(chan struct{}, 1), builds: map[string]*build{}}
	b.goCmd, b.goErr = findGo(opts.Go)
	return b
}

var _ mp.Builder = (*Builder)(nil)

// findGo finds the go command: the given path, $GOMP_GO or "go" on the
// PATH. Without one it returns the build every call fails with.
func findGo(given string) (string, *build) {
	name, from := given, "the Options"
	if name == "" {
		name, from = os.Getenv("GOMP_GO"), "GOMP_GO"
	}
	if name == "" {
		name, from = "go", "the PATH"
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", failed(fmt.Errorf("no Go toolchain (%s from %s): %w", name, from, err), true)
	}
	return p, nil
}

// Idle waits until the builds under way have ended, the ones Prebuild
// started included. No Build or Prebuild may be called meanwhile.
func (b *Builder) Idle() { b.wg.Wait() }

// Close stops the builds under way and waits for them.
func (b *Builder) Close() {
	b.stop()
	b.wg.Wait()
}

// Build returns the build of a worker for targets in the notebook
// snapshot describes, starting it unless it is built or building (a
// build that failed for a reason other than the notebook's code is tried
// again).
func (b *Builder) Build(targets []string, snapshot []byte) mp.Build {
	if b.goErr != nil {
		return b.goErr
	}
	b.remember(targets)
	st, err := parseSnapshot(snapshot)
	if err != nil {
		return failed(err, true)
	}
	prog, err := generate(st, targets)
	if err != nil {
		return failed(fmt.Errorf("generate the worker: %w", err), true)
	}
	return b.start(prog)
}

// remember keeps the target sets asked for, the latest last, for
// Prebuild: at most prebuildSets of them.
func (b *Builder) remember(targets []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.targets = slices.DeleteFunc(b.targets, func(ts []string) bool { return slices.Equal(ts, targets) })
	b.targets = append(b.targets, slices.Clone(targets))
	if len(b.targets) > prebuildSets {
		b.targets = b.targets[len(b.targets)-prebuildSets:]
	}
}

// prebuildSets is how many of the latest target sets Prebuild builds for.
const prebuildSets = 4

// Prebuild starts, in the background, the builds later calls will most
// likely want: one for each of the latest target sets calls have used
// (each the build that call will look for, so a function changed in a
// cell is often rebuilt before the next call), else one for every
// function of the notebook (which at least compiles mp and display into
// the Go build cache). decls is the notebook's snapshot without values.
// Sets whose code did not change find their worker built, and build
// nothing. It returns at once; failures are left for the call to report.
func (b *Builder) Prebuild(decls []byte) {
	if b.goErr != nil {
		return
	}
	st, err := parseSnapshot(decls)
	if err != nil {
		return
	}
	b.mu.Lock()
	sets := slices.Clone(b.targets)
	b.mu.Unlock()
	if len(sets) == 0 {
		var all []string
		for _, r := range st.Decls {
			if r.Tok == "func" && !strings.Contains(r.Names[0], ".") && r.Names[0] != "main" && r.Names[0] != "init" {
				all = append(all, r.Names[0])
			}
		}
		if len(all) == 0 {
			return
		}
		sets = [][]string{all}
	}
	for i := len(sets) - 1; i >= 0; i-- {
		if prog, err := generate(st, sets[i]); err == nil {
			b.start(prog)
		}
	}
}

// start returns the build of prog: the cached executable, the build under
// way, or a new one.
func (b *Builder) start(prog program) mp.Build {
	srcHash, err := b.sourceHash()
	if err != nil {
		return failed(err, true)
	}
	h := sha256.New()
	fmt.Fprintf(h, "%s/%s\x00%s\x00%s\x00%s\x00%t", runtime.GOOS, runtime.GOARCH, srcHash, prog.notebook, prog.main, prog.needsModules)
	key := hex.EncodeToString(h.Sum(nil))[:32]
	b.mu.Lock()
	defer b.mu.Unlock()
	if old, ok := b.builds[key]; ok {
		if _, done, err := old.Ready(); !done || err == nil || old.final {
			return old
		}
	}
	dir, err := b.cacheDir()
	if err != nil {
		return failed(err, false)
	}
	exe := filepath.Join(dir, key)
	if _, err := os.Stat(exe); err == nil {
		// Used: tidy keeps it.
		now := time.Now()
		os.Chtimes(exe, now, now)
		d := done(exe)
		b.builds[key] = d
		return d
	}
	bd := &build{done: make(chan struct{})}
	b.builds[key] = bd
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		b.tidied.Do(func() { tidy(dir, time.Now()) })
		bd.finish(b.run(prog, dir, exe))
	}()
	return bd
}

// cacheDir returns the directory of built workers, made if need be.
func (b *Builder) cacheDir() (string, error) {
	dir := b.opts.CacheDir
	if dir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("find the cache for compiled workers: %w", err)
		}
		dir = filepath.Join(base, "gomp", "workers")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("make the cache for compiled workers: %w", err)
	}
	return dir, nil
}

// run builds prog into exe: in a directory of its own (so that two
// kernels building the same worker at once do not meet), into a file
// renamed to exe only once go build succeeded, so that an interrupted or
// failed build never leaves a file a worker could be started from.
func (b *Builder) run(prog program, dir, exe string) (path string, final bool, err error) {
	select {
	case b.slots <- struct{}{}:
	case <-b.ctx.Done():
		return "", false, b.ctx.Err()
	}
	defer func() { <-b.slots }()
	start := time.Now()
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return "", false, fmt.Errorf("make a build directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := b.writeModule(tmp, prog); err != nil {
		return "", false, err
	}
	// -trimpath: each build has a directory of its own, and without it
	// the directory is part of every package's build cache key, so mp and
	// display were compiled again for every worker (builds took 2-8 s
	// instead of well under one). -s -w: a worker's panics need the
	// symbol table Go's runtime keeps, not the linker's, and the binary is
	// a third smaller.
	cmd := exec.CommandContext(b.ctx, b.goCmd, "build", "-trimpath", "-ldflags=-s -w", "-o", "worker", ".")
	cmd.Dir = tmp
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		if b.ctx.Err() != nil {
			return "", false, b.ctx.Err()
		}
		msg := compilerMessages(string(out))
		if msg == "" {
			return "", false, fmt.Errorf("go build: %w", err)
		}
		// The notebook's code does not compile: that will not change
		// until its declarations do (and then the hash does).
		return "", true, fmt.Errorf("compile: %s", msg)
	}
	if err := os.Rename(filepath.Join(tmp, "worker"), exe); err != nil {
		return "", false, fmt.Errorf("store the compiled worker: %w", err)
	}
	b.log.Debug("built compiled worker", "exe", exe, "took", time.Since(start))
	return exe, true, nil
}

// compilerMessages keeps go build's messages about the code: not the
// "# package" headers, and positions in the cells as the line directives
// give them.
func compilerMessages(out string) string {
	var keep []string
	for line := range strings.Lines(out) {
		line = strings.TrimRight(line, "\n")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		keep = append(keep, strings.TrimPrefix(line, "./"))
	}
	return strings.Join(keep, "\n")
}

// writeModule writes prog and gomp's packages into dir as a module.
func (b *Builder) writeModule(dir string, prog program) error {
	gompDir := filepath.Join(dir, "gomp")
	err := fs.WalkDir(b.src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !carried(p) {
			return nil
		}
		data, err := fs.ReadFile(b.src, p)
		if err != nil {
			return err
		}
		if p == "go.mod" && !prog.needsModules {
			data = []byte("module " + gompModule + "\n\ngo 1.26\n")
		}
		if p == "go.sum" && !prog.needsModules {
			return nil
		}
		dst := filepath.Join(gompDir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		return fmt.Errorf("write gomp's packages for the worker: %w", err)
	}
	gomod := "module gompworker\n\ngo 1.26\n\nrequire " + gompModule + " v0.0.0\n\nreplace " + gompModule + " => ./gomp\n"
	files := map[string]string{"go.mod": gomod, "notebook.go": prog.notebook, "main.go": prog.main}
	if prog.needsModules {
		sum, err := fs.ReadFile(b.src, "go.sum")
		if err != nil {
			return fmt.Errorf("read gomp's go.sum: %w", err)
		}
		files["go.sum"] = string(sum)
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			return fmt.Errorf("write the worker's %s: %w", name, err)
		}
	}
	return nil
}

// carried reports whether p, a path in gomp's source, goes into a build.
func carried(p string) bool {
	if p == "go.mod" || p == "go.sum" {
		return true
	}
	dir, file := filepath.Split(p)
	dir = strings.TrimSuffix(dir, "/")
	if !slices.Contains(cellPackages, dir) && dir != "mp/compiledworker" && dir != "internal/forkthread" {
		return false
	}
	return strings.HasSuffix(file, ".go") && !strings.HasSuffix(file, "_test.go") ||
		p == "widgets/models.json" // embedded by widgets
}

// sourceHash hashes the carried source, once.
func (b *Builder) sourceHash() (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.srcHash != "" || b.srcErr != nil {
		return b.srcHash, b.srcErr
	}
	h := sha256.New()
	err := fs.WalkDir(b.src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !carried(p) {
			return nil
		}
		data, err := fs.ReadFile(b.src, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(data))
		h.Write(data)
		return nil
	})
	if err != nil {
		b.srcErr = fmt.Errorf("read gomp's source for compiled workers: %w", err)
		return "", b.srcErr
	}
	b.srcHash = hex.EncodeToString(h.Sum(nil))
	return b.srcHash, nil
}

// build is one worker build; it implements mp.Build.
type build struct {
	done  chan struct{}
	path  string
	err   error
	final bool // a failure that trying again would repeat
}

// failed returns a build that failed with err.
func failed(err error, final bool) *build {
	b := &build{done: make(chan struct{}), err: err, final: final}
	close(b.done)
	return b
}

// done returns a build that is over: the executable exe.
func done(exe string) *build {
	b := &build{done: make(chan struct{}), path: exe, final: true}
	close(b.done)
	return b
}

func (b *build) finish(path string, final bool, err error) {
	b.path, b.err, b.final = path, err, final
	close(b.done)
}

// Ready implements mp.Build.
func (b *build) Ready() (string, bool, error) {
	select {
	case <-b.done:
		return b.path, true, b.err
	default:
		return "", false, nil
	}
}

// Wait implements mp.Build.
func (b *build) Wait(ctx context.Context) (string, error) {
	select {
	case <-b.done:
		return b.path, b.err
	case <-ctx.Done():
		return "", errors.Join(mp.ErrInterrupted, ctx.Err())
	}
}

// Ages after which tidy removes what a cache holds: a build directory no
// build can still be using (a kernel killed while building leaves one),
// and a worker no call has used.
const (
	staleBuild  = time.Hour
	unusedAfter = 14 * 24 * time.Hour
)

// tidy removes stale build directories and unused workers from the cache
// dir. Failures are left for the next kernel: another user's kernel may
// be tidying the same directory.
func tidy(dir string, now time.Time) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			continue
		}
		age := now.Sub(info.ModTime())
		switch {
		case e.IsDir() && strings.HasPrefix(e.Name(), "build-") && age > staleBuild:
			os.RemoveAll(filepath.Join(dir, e.Name()))
		case !e.IsDir() && age > unusedAfter:
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
