package mp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"sync"

	"github.com/gomp-kernel/gomp/display"
)

// maxPiece is the longest piece of a child's output written with one Write:
// lines up to this length arrive whole, longer ones in pieces of this size.
const maxPiece = 4096

// markerPrefix starts an end-of-task marker. A pool worker writes
// "\x1egomp-eot:TOKEN:SEQ\n" to its stdout and stderr after task SEQ and
// before it sends the task's result; TOKEN is random per worker, so user
// output cannot forge one.
const markerPrefix = "\x1egomp-eot:"

// displayPrefix starts a display line: a child's display.Show (or update,
// or clear) travels in its stdout as "\x1egomp-display:TOKEN:JSON\n", so
// that it keeps its place among the lines the child prints. JSON holds no
// raw newline. The parent hands the decoded display.Output to the cell.
const displayPrefix = "\x1egomp-display:"

// maxDisplay bounds one display line; a longer one is passed on as text.
const maxDisplay = 64 << 20

// displayLine returns the display line for o from the worker with token.
func displayLine(token string, o display.Output) ([]byte, error) {
	b, err := json.Marshal(o)
	if err != nil {
		return nil, fmt.Errorf("encode display: %w", err)
	}
	line := make([]byte, 0, len(displayPrefix)+len(token)+1+len(b)+1)
	line = append(append(append(append(line, displayPrefix...), token...), ':'), b...)
	return append(line, '\n'), nil
}

// marker returns the marker line for task seq of the worker with token.
func marker(token string, seq uint64) []byte {
	return fmt.Appendf(nil, "%s%s:%d\n", markerPrefix, token, seq)
}

// stream copies one of a child's output pipes to the writer pinned for it,
// cutting at newlines so that lines from concurrent children never
// interleave inside a line, and notes the end-of-task markers it passes.
type stream struct {
	src     io.Reader
	prefix  []byte // markerPrefix + token + ":"
	dprefix []byte // displayPrefix + token + ":"
	log     *slog.Logger

	mu      sync.Mutex
	cond    *sync.Cond
	sink    io.Writer
	display func(display.Output) error
	mark    uint64 // highest marker passed
	eof     bool   // src reached EOF (or failed); no more output will come
}

func newStream(src io.Reader, token string, log *slog.Logger) *stream {
	s := &stream{
		src: src, prefix: []byte(markerPrefix + token + ":"), dprefix: []byte(displayPrefix + token + ":"),
		sink: io.Discard, log: log,
	}
	s.cond = sync.NewCond(&s.mu)
	return s
}

// pin sends the output that follows to cell c: text to w (nil: discard),
// displays to c.Display.
func (s *stream) pin(w io.Writer, d func(display.Output) error) {
	if w == nil {
		w = io.Discard
	}
	s.mu.Lock()
	s.sink = w
	s.display = d
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
		if k := s.displayAt(rest, i); k >= 0 {
			s.write(rest[:k])
			rest = rest[k:]
			nl := bytes.IndexByte(rest, '\n')
			if nl < 0 && !end && len(rest) <= maxDisplay {
				break // the rest of the display line is still to come
			}
			if nl >= 0 && s.show(rest[len(s.dprefix):nl]) {
				rest = rest[nl+1:]
				continue
			}
			// Too long, cut off by the child's exit, or unreadable: text.
			i = nl
		}
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

// displayAt returns where a display line starts in rest before its first
// newline at nl (-1: none in rest), or -1.
func (s *stream) displayAt(rest []byte, nl int) int {
	if nl >= 0 {
		rest = rest[:nl]
	}
	return bytes.Index(rest, s.dprefix)
}

// show decodes one display line's JSON and hands it to the pinned cell,
// or its text to the pinned writer when the cell takes no displays. It
// reports false when the JSON does not decode.
func (s *stream) show(b []byte) bool {
	var o display.Output
	if err := json.Unmarshal(b, &o); err != nil {
		s.log.Debug("child display", "err", err)
		return false
	}
	s.mu.Lock()
	d := s.display
	s.mu.Unlock()
	if d == nil {
		var b bytes.Buffer
		_ = display.PrintText(&b, o)
		s.write(b.Bytes())
		return true
	}
	if err := d(o); err != nil {
		s.log.Debug("child display", "err", err)
	}
	return true
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
