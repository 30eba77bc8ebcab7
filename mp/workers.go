package mp

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// Workers says what kind of worker process runs a Pool's tasks or a
// Process's target: Auto (the default), Compiled or Interpreted.
type Workers int

const (
	// Auto runs targets on workers that have the notebook's functions
	// compiled by the Go toolchain once such a worker has been built (in
	// the background; a cell never waits for it), and on interpreted
	// workers until then or when the build fails, which it says once in
	// the cell with the compiler's first message.
	Auto Workers = iota
	// Compiled waits for the compiled worker; a build failure is the
	// call's error, with the compiler's messages in cell coordinates.
	Compiled
	// Interpreted runs targets in gomp's interpreter, as the kernel runs
	// cells: no build, and the same behaviour as the notebook itself.
	Interpreted
)

// String names the kind, as the constant is named.
func (k Workers) String() string {
	switch k {
	case Auto:
		return "Auto"
	case Compiled:
		return "Compiled"
	case Interpreted:
		return "Interpreted"
	}
	return fmt.Sprintf("Workers(%d)", int(k))
}

// WithWorkers chooses the kind of worker for a Pool (an option of
// NewPool) or a Process (passed among NewProcess's arguments, where it is
// taken as the option, not as an argument). It overrides SetWorkers.
func WithWorkers(k Workers) Option {
	return func(o *poolOptions) { o.workers, o.workersSet = k, true }
}

var workersSetting struct {
	mu  sync.Mutex
	k   Workers
	set bool // by SetWorkers or from GOMP_WORKERS
}

// SetWorkers sets the kind of worker for the whole notebook: every later
// NewPool and NewProcess without WithWorkers uses k. The default is Auto,
// or what the environment variable GOMP_WORKERS says (auto, compiled or
// interpreted) when the kernel or `gomp run` starts.
func SetWorkers(k Workers) {
	workersSetting.mu.Lock()
	workersSetting.k, workersSetting.set = k, true
	workersSetting.mu.Unlock()
}

// workersFromEnv reads GOMP_WORKERS; anything else than its three values
// is Auto.
func workersFromEnv() Workers {
	switch strings.ToLower(os.Getenv("GOMP_WORKERS")) {
	case "compiled":
		return Compiled
	case "interpreted":
		return Interpreted
	}
	return Auto
}

// workersFor returns the kind chosen by an option or, without one, the
// notebook's setting.
func workersFor(o poolOptions) Workers {
	if o.workersSet {
		return o.workers
	}
	workersSetting.mu.Lock()
	defer workersSetting.mu.Unlock()
	if !workersSetting.set {
		workersSetting.k, workersSetting.set = workersFromEnv(), true
	}
	return workersSetting.k
}

// Builder builds worker executables with the notebook's functions compiled
// in. main installs one through Config.Builder (gomp's workerbuild);
// without one every worker is interpreted.
type Builder interface {
	// Build returns the build of a worker that can run targets (Host.Target
	// names) in the notebook snapshot (Host.Snapshot) describes. It starts
	// the build in the background unless it is built or building already,
	// and never waits for it.
	Build(targets []string, snapshot []byte) Build
}

// Build is one worker executable, being built or built.
type Build interface {
	// Ready returns the executable's path once it is built; done reports
	// that the build is over, err why it failed. It never waits.
	Ready() (path string, done bool, err error)
	// Wait waits until the build is over or ctx is done.
	Wait(ctx context.Context) (path string, err error)
}

// fallbacks remembers the build failures already reported, by message, so
// that Auto says once that it falls back for a reason (a build retried
// after a cache that cannot be written fails again with the same one).
var fallbacks sync.Map

// compiledExe returns the executable of a compiled worker for targets, ""
// for an interpreted one: under Auto when the build is not ready or
// failed (a failure reported once on stderr), under Compiled after waiting
// for the build (its failure is the error).
func compiledExe(ctx context.Context, k Workers, b Build, stderr io.Writer) (string, error) {
	if b == nil || k == Interpreted {
		return "", nil
	}
	if k == Compiled {
		path, err := b.Wait(ctx)
		if err != nil {
			return "", fmt.Errorf("compiled worker: %w", err)
		}
		return path, nil
	}
	path, done, err := b.Ready()
	switch {
	case !done:
		return "", nil
	case err != nil:
		if _, seen := fallbacks.LoadOrStore(err.Error(), true); !seen {
			if stderr != nil {
				fmt.Fprintf(stderr, "mp: using interpreted workers: %s\n", firstLine(err.Error()))
			}
		}
		return "", nil
	}
	return path, nil
}

// firstLine returns s up to its first newline.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// buildFor starts (or finds) the build of a compiled worker for targets,
// nil when there is no Builder or the kind is Interpreted.
func buildFor(k Workers, snap []byte, targets ...string) Build {
	if k == Interpreted {
		return nil
	}
	_, cfg, err := currentHost()
	if err != nil || cfg.Builder == nil {
		return nil
	}
	return cfg.Builder.Build(targets, snap)
}
