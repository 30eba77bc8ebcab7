package main

import (
	"github.com/gomp-kernel/gomp/interp"
	"github.com/gomp-kernel/gomp/mp"
)

// host adapts an interp.Session to mp.Host: mp asks it which notebook
// function a func value is, for the notebook's state to hand a child, and
// where the running cell's output goes.
type host struct{ sess *interp.Session }

func (h host) Target(fn any) (string, error) { return h.sess.Target(fn) }

func (h host) Snapshot() ([]byte, error) { return h.sess.Snapshot() }

func (h host) Cell() mp.Cell {
	ctx, stdout, stderr := h.sess.Current()
	return mp.Cell{Context: ctx, Stdout: stdout, Stderr: stderr}
}
