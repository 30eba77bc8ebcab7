package interp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"go/importer"
	"go/token"
	"go/types"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// stdTypes gives the type checker the standard library of the Go
// installation in use, from the export data that `go list -export` makes
// (the go command keeps it in its build cache, so after the first build a
// listing takes tens of milliseconds). One per process: the export files
// and the imported packages do not change while it runs.
var stdTypes = &exportImporter{exports: map[string]string{}, failed: map[string]bool{}}

// listTimeout bounds one `go list`: a cold build cache compiles the
// packages it lists, which takes seconds, never minutes.
const listTimeout = 2 * time.Minute

// exportImporter imports packages from the export data `go list -export`
// names, listing a package (with its dependencies) the first time a check
// needs it. Packages it cannot list (no go command, gomp's own cell
// packages, a typo) are reported as import errors, which the checker
// treats as unknown packages (see checkCell).
type exportImporter struct {
	mu      sync.Mutex
	fset    *token.FileSet
	imp     types.Importer
	exports map[string]string // import path -> export file
	failed  map[string]bool   // listed without export data
	goCmd   string            // "" until looked up; "-" when missing
	cells   *cellSources      // gomp's own packages; nil: unknown
}

// useSources makes gomp's own packages (mp, display, ...) known to the
// checker from fsys, their source (see cellSources); the first call wins.
func (e *exportImporter) useSources(fsys fs.FS) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cells == nil {
		e.cells = newCellSources(fsys)
	}
}

// commonPackages are listed ahead of the first cell (warm).
var commonPackages = []string{"fmt", "strings", "strconv", "math", "time", "sort", "sync", "os", "errors"}

// warmOnce starts warm once per process.
var warmOnce sync.Once

// warm lists commonPackages in the background, and the standard
// packages gomp's cell packages import (so that the first cell importing
// mp only checks mp's source), so that a kernel's first cell finds them
// listed (a check waits for a listing in progress rather than running
// another). The goroutine ends when the go command does, in listTimeout
// at most.
func (e *exportImporter) warm() {
	warmOnce.Do(func() {
		e.mu.Lock()
		paths := commonPackages
		if e.cells != nil {
			paths = append(e.cells.stdImports(), commonPackages...)
		}
		e.mu.Unlock()
		go e.prefetch(paths)
	})
}

// prefetch lists the packages of paths that are not listed yet, in one go
// command. A path that cannot be listed is remembered as failed.
func (e *exportImporter) prefetch(paths []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.listLocked(paths)
}

func (e *exportImporter) listLocked(paths []string) {
	var todo []string
	for _, p := range paths {
		if _, gomp := gompDir(p); gomp && e.cells != nil {
			continue
		}
		if _, ok := e.exports[p]; !ok && !e.failed[p] && p != "C" && p != "unsafe" {
			todo = append(todo, p)
		}
	}
	if len(todo) == 0 {
		return
	}
	if e.goCmd == "" {
		e.goCmd = "-"
		if p, err := exec.LookPath("go"); err == nil {
			e.goCmd = p
		}
	}
	if e.goCmd == "-" {
		for _, p := range todo {
			e.failed[p] = true
		}
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), listTimeout)
	defer cancel()
	args := append([]string{"list", "-e", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}"}, todo...)
	cmd := exec.CommandContext(ctx, e.goCmd, args...)
	// Outside any module, with the installed toolchain: a go.mod near the
	// notebook must not make the go command download another Go.
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local", "GOFLAGS=", "GO111MODULE=off")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = io.Discard
	// A failed listing (an unknown path among them) still lists the
	// others; the paths without export data are marked failed below.
	_ = cmd.Run()
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		path, file, ok := strings.Cut(sc.Text(), "\t")
		if ok && file != "" {
			e.exports[path] = file
		}
	}
	for _, p := range todo {
		if _, ok := e.exports[p]; !ok {
			e.failed[p] = true
		}
	}
}

// Import imports path from its export data; the caller holds e.mu (see
// use).
func (e *exportImporter) Import(path string) (*types.Package, error) {
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	if dir, gomp := gompDir(path); gomp && e.cells != nil {
		return e.cells.cellView(dir, e, e.listLocked)
	}
	e.listLocked([]string{path})
	if _, ok := e.exports[path]; !ok {
		return nil, fmt.Errorf("no export data for %q", path)
	}
	if e.imp == nil {
		e.fset = token.NewFileSet()
		e.imp = importer.ForCompiler(e.fset, "gc", func(p string) (io.ReadCloser, error) {
			f, ok := e.exports[p]
			if !ok {
				return nil, errors.New("no export data")
			}
			return os.Open(f)
		})
	}
	return e.imp.Import(path)
}

// use runs f with the importer locked: go/importer's gc importer is not
// safe for concurrent use, and sessions of one process share it.
func (e *exportImporter) use(f func(types.Importer)) {
	e.mu.Lock()
	defer e.mu.Unlock()
	f(e)
}
