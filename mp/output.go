package mp

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"sync"
)

// maxPiece is the longest piece of a child's output written with one Write:
// lines up to this length arrive whole, longer ones in pieces of this size.
const maxPiece = 4096

// markerPrefix starts an end-of-task marker. A pool worker writes
// "\x1egomp-eot:TOKEN:SEQ\n" to its stdout and stderr after task SEQ and
// before it sends the task's result; TOKEN is random per worker, so user
// output cannot forge one.
const markerPrefix = "\x1egomp-eot:"

// marker returns the marker line for task seq of the worker with token.
func marker(token string, seq uint64) []byte {
	return fmt.Appendf(nil, "%s%s:%d\n", markerPrefix, token, seq)
}

// stream copies one of a child's output pipes to the writer pinned for it,
// cutting at newlines so that lines from concurrent children never
// interleave inside a line, and notes the end-of-task markers it passes.
type stream struct {
	src    io.Reader
	prefix []byte // markerPrefix + token + ":"
	log    *slog.Logger

	mu   sync.Mutex
	cond *sync.Cond
	sink io.Writer
	mark uint64 // highest marker passed
	eof  bool   // src reached EOF (or failed); no more output will come
}

func newStream(src io.Reader, token string, log *slog.Logger) *stream {
	s := &stream{src: src, prefix: []byte(markerPrefix + token + ":"), sink: io.Discard, log: log}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// pin sends the output that follows to w (nil: discard).
func (s *stream) pin(w io.Writer) {
	if w == nil {
		w = io.Discard
	}
	s.mu.Lock()
	s.sink = w
	s.mu.Unlock()
}

// waitMark returns once the marker for task seq has been passed and
// everything before it written, or the stream ended.
func (s *stream) waitMark(seq uint64) {
	s.mu.Lock()
	for s.mark < seq && !s.eof {
		s.cond.Wait()
	}
	s.mu.Unlock()
}

// waitEOF returns once everything the child wrote has been written on.
func (s *stream) waitEOF() {
	s.mu.Lock()
	for !s.eof {
		s.cond.Wait()
	}
	s.mu.Unlock()
}

// run reads src until EOF. Its owner (the child) starts it and waits for it
// through waitEOF.
func (s *stream) run() {
	defer func() {
		s.mu.Lock()
		s.eof = true
		s.cond.Broadcast()
		s.mu.Unlock()
	}()
	buf := make([]byte, 0, 2*maxPiece)
	for {
		if cap(buf)-len(buf) < maxPiece {
			buf = slices.Grow(buf, maxPiece)
		}
		n, err := s.src.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		buf = s.drain(buf, false)
		if err != nil {
			s.drain(buf, true)
			if err != io.EOF {
				s.log.Debug("child output ended", "err", err)
			}
			return
		}
	}
}

// drain writes every complete line in buf, and full pieces of a long
// partial line, and returns what is left (moved to buf's start). At the end
// it writes the remainder too.
func (s *stream) drain(buf []byte, end bool) []byte {
	rest := buf
	for len(rest) > 0 {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			if end {
				s.write(rest)
				rest = rest[:0]
				break
			}
			if len(rest) < maxPiece {
				break
			}
			piece := rest[:maxPiece]
			// Hold back what may be the start of a marker not yet complete.
			if j := bytes.LastIndexByte(piece, markerPrefix[0]); j >= 0 && len(rest)-j < len(s.prefix)+22 {
				piece = piece[:j]
				if j == 0 {
					break
				}
			}
			s.write(piece)
			rest = rest[len(piece):]
			continue
		}
		line := rest[:i+1]
		rest = rest[i+1:]
		if j := bytes.Index(line, s.prefix); j >= 0 {
			if seq, err := strconv.ParseUint(string(line[j+len(s.prefix):len(line)-1]), 10, 64); err == nil {
				s.write(line[:j])
				s.passed(seq)
				continue
			}
		}
		for len(line) > maxPiece {
			s.write(line[:maxPiece])
			line = line[maxPiece:]
		}
		s.write(line)
	}
	return append(buf[:0], rest...)
}

func (s *stream) write(p []byte) {
	if len(p) == 0 {
		return
	}
	s.mu.Lock()
	w := s.sink
	s.mu.Unlock()
	if _, err := w.Write(p); err != nil {
		s.log.Debug("write child output", "err", err)
	}
}

func (s *stream) passed(seq uint64) {
	s.mu.Lock()
	if seq > s.mark {
		s.mark = seq
	}
	s.cond.Broadcast()
	s.mu.Unlock()
}
