// Package forkthread starts child processes from one OS thread kept for
// that purpose. Linux sends a child its parent-death signal (Pdeathsig)
// when the thread that forked it exits, not the process; Go may retire an
// ordinary thread at any time, so a child started from an arbitrary
// goroutine could be killed early, or lose its guard against outliving
// its parent.
package forkthread

import (
	"errors"
	"os/exec"
	"runtime"
)

// ErrStopped is returned by Start after Stop.
var ErrStopped = errors.New("the fork thread is stopped")

// Thread owns one OS thread, locked for its whole life, on which Start
// starts commands. Stop ends it; the thread then exits with its goroutine,
// which is why the owner stops it only once every child it started has
// ended.
type Thread struct {
	reqs chan request
	quit chan struct{}
	done chan struct{}
}

type request struct {
	cmd   *exec.Cmd
	reply chan error
}

// New starts a Thread.
func New() *Thread {
	t := &Thread{reqs: make(chan request), quit: make(chan struct{}), done: make(chan struct{})}
	go t.loop()
	return t
}

func (t *Thread) loop() {
	runtime.LockOSThread() // never unlocked: the thread exits with loop
	defer close(t.done)
	for {
		select {
		case r := <-t.reqs:
			r.reply <- r.cmd.Start()
		case <-t.quit:
			return
		}
	}
}

// Start starts cmd on the thread, as cmd.Start would.
func (t *Thread) Start(cmd *exec.Cmd) error {
	r := request{cmd: cmd, reply: make(chan error, 1)}
	select {
	case t.reqs <- r:
		return <-r.reply
	case <-t.quit:
		return ErrStopped
	}
}

// Stop ends the thread and waits for it. It may be called once.
func (t *Thread) Stop() {
	close(t.quit)
	<-t.done
}
