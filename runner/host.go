package runner

import (
	"github.com/gomp-kernel/gomp/interp"
	"github.com/gomp-kernel/gomp/mp"
)

// host adapts the notebook's interp.Session to mp.Host, as the kernel's
// adapter in main does, so that cells using mp behave the same under
// `gomp run` as in Jupyter.
type host struct{ sess *interp.Session }

func (h host) Target(fn any) (string, error) { return h.sess.Target(fn) }

func (h host) Snapshot() ([]byte, error) { return h.sess.Snapshot() }

func (h host) Cell() mp.Cell {
	ctx, stdout, stderr := h.sess.Current()
	return mp.Cell{Context: ctx, Stdout: stdout, Stderr: stderr}
}
