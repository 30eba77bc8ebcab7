package mp

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Files mp leaves behind while it runs are named gomp-<pid>-mp-...: the
// broker's socket directory in os.TempDir() and shared memory segments in
// /dev/shm. A process normally removes its own (Shutdown, Close); those of
// a process that was killed are removed by the next process that starts
// a broker or creates a segment.
const shmDir = "/dev/shm"

// removeStale removes the files of mp processes that no longer exist.
func removeStale() {
	for _, dir := range []string{os.TempDir(), shmDir} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			pid, ok := stalePid(e.Name())
			if !ok || pid == os.Getpid() || alive(pid) {
				continue
			}
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

// stalePid parses gomp-<pid>-mp-....
func stalePid(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, "gomp-")
	if !ok {
		return 0, false
	}
	num, rest, ok := strings.Cut(rest, "-")
	if !ok || !strings.HasPrefix(rest, "mp-") {
		return 0, false
	}
	pid, err := strconv.Atoi(num)
	return pid, err == nil && pid > 0
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
