package interp

import "github.com/gomp-kernel/gomp/mp"

// Cell returns the running (or latest) cell's context and writers in mp's
// terms. With Target and Snapshot it makes a *Session an mp.Host, so the
// kernel and the notebook runner install it with mp.SetHost directly.
// (interp already depends on mp through the generated symbol table; mp
// never depends on interp.)
func (s *Session) Cell() mp.Cell {
	c := s.current()
	return mp.Cell{Context: c.ctx, Stdout: writerOrDiscard(c.io.Stdout), Stderr: writerOrDiscard(c.io.Stderr), Display: s.cellDisplay(c)}
}

var _ mp.Host = (*Session)(nil)
