package runner

import (
	"os/exec"
	"runtime"
	"syscall"
)

// starter starts a batch's children from one OS thread, locked for the
// batch's life, with a parent-death signal: SIGKILL when the batch's
// process dies. Linux sends it when the thread that forked a child exits,
// not the process, hence one locked thread (as mp's forker does for its
// workers). A `gomp run` killed with SIGKILL thus takes its children down
// with it, and they never write their notebooks afterwards; their own mp
// workers follow them the same way.
//
// The race between fork and the child's prctl (the parent dying in
// between) is closed by Go's runtime: the forked child compares getppid
// with the pid it was forked from and signals itself when they differ
// (syscall/exec_linux.go).
type starter struct {
	reqs chan startReq
	done chan struct{}
}

type startReq struct {
	cmd   *exec.Cmd
	reply chan error
}

// newStarter starts the thread; stop ends it.
func newStarter() *starter {
	s := &starter{reqs: make(chan startReq), done: make(chan struct{})}
	go func() {
		// Never unlocked: the thread exits with this goroutine at stop,
		// after the batch has waited for every child.
		runtime.LockOSThread()
		defer close(s.done)
		for r := range s.reqs {
			r.reply <- r.cmd.Start()
		}
	}()
	return s
}

// start starts cmd on the starter's thread with its parent-death signal.
func (s *starter) start(cmd *exec.Cmd) error {
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	r := startReq{cmd: cmd, reply: make(chan error, 1)}
	s.reqs <- r
	return <-r.reply
}

// stop ends the thread once no start is pending.
func (s *starter) stop() {
	close(s.reqs)
	<-s.done
}
