package supervise

import (
	"os"
	"os/exec"
	"testing"
)

// TestCrashReason reads the Go runtime's reports as the interpreter leaves
// them on its stderr (goldens in testdata, cut from real crashes).
func TestCrashReason(t *testing.T) {
	for _, tc := range []struct {
		file string
		want string
	}{
		{"concurrent-map-writes.txt", "fatal error: concurrent map writes\n(a map used by several goroutines without a lock: guard it with a sync.Mutex)"},
		{"goroutine-panic.txt", "panic: boom [recovered, repanicked]\n(a panic in a goroutine that nothing recovered: a goroutine started by compiled code, such as a time.AfterFunc callback, ends the process when it panics)"},
		{"out-of-memory.txt", "fatal error: runtime: out of memory\n(the system refused the memory the cell asked for)"},
		{"stack-overflow.txt", "fatal error: stack overflow\n(endless or too deep recursion?)"},
		{"log-only.txt", ""},
	} {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			if got := crashReason(string(data)); got != tc.want {
				t.Errorf("crashReason:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

// TestDeathCause names the signal or exit status of real processes.
func TestDeathCause(t *testing.T) {
	for _, tc := range []struct {
		script string
		want   string
	}{
		{"kill -KILL $$", "killed by signal SIGKILL (from outside the kernel, or by the system's out-of-memory killer)"},
		{"kill -SEGV $$", "killed by signal SIGSEGV"},
		{"exit 3", "it exited with status 3"},
	} {
		cmd := exec.Command("sh", "-c", tc.script)
		cmd.Run()
		if got := deathCause(cmd.ProcessState, "some log line\n"); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.script, got, tc.want)
		}
	}
}
