package interp

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// timeMagic is IPython's cell magic that times a cell: a cell whose first
// line is %%time runs the rest and then prints the CPU and wall time it
// took, the way multiprocessing lessons compare a serial run with a pool.
const timeMagic = "%%time"

// cutTimeMagic reports whether code's first line is %%time and returns
// the code with that line emptied, so that positions in errors stay the
// user's.
func cutTimeMagic(code string) (string, bool) {
	first, rest, found := strings.Cut(code, "\n")
	if strings.TrimSpace(first) != timeMagic {
		return code, false
	}
	if !found {
		return "", true
	}
	return "\n" + rest, true
}

// cellTimer measures one %%time cell.
type cellTimer struct {
	wall      time.Time
	user, sys time.Duration
}

func startTimer() *cellTimer {
	user, sys := cpuTimes()
	return &cellTimer{wall: time.Now(), user: user, sys: sys}
}

// report writes the times since start as IPython does:
//
//	CPU times: user 1.2 s, sys: 30 ms, total: 1.23 s
//	Wall time: 640 ms
//
// CPU times are this process's; children's are not counted (nor are they
// by IPython), so a pool shows its speed-up in the wall time.
func (t cellTimer) report(w io.Writer) {
	user, sys := cpuTimes()
	user, sys = user-t.user, sys-t.sys
	fmt.Fprintf(w, "CPU times: user %s, sys: %s, total: %s\nWall time: %s\n",
		shortDuration(user), shortDuration(sys), shortDuration(user+sys), shortDuration(time.Since(t.wall)))
}

// shortDuration prints d with three significant digits and a unit, as
// IPython's timing magics do ("1.23 s", "412 ms", "3.5 µs").
func shortDuration(d time.Duration) string {
	s := d.Seconds()
	switch {
	case s >= 1:
		return fmt.Sprintf("%.3g s", s)
	case s >= 1e-3:
		return fmt.Sprintf("%.3g ms", s*1e3)
	case s >= 1e-6:
		return fmt.Sprintf("%.3g µs", s*1e6)
	}
	return fmt.Sprintf("%d ns", d.Nanoseconds())
}
