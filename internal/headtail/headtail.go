// Package headtail keeps the beginning and the end of a stream, such as a
// child process's stderr: the Go runtime writes its report of a fatal
// error there (the error first, then every goroutine's stack), often after
// a few log lines, so the first bytes hold the cause and the last ones how
// it ended, while a crash of a program with many goroutines can write
// megabytes in between.
package headtail

import "sync"

// HeadMax and TailMax are how many of the first and of the last bytes a
// Buffer keeps.
const (
	HeadMax = 256 << 10
	TailMax = 8 << 10
)

// Buffer is an io.Writer that keeps the first HeadMax bytes written to it
// and the last TailMax of the rest. Its zero value is ready to use, and it
// may be written and read from several goroutines (exec copies a child's
// stderr from a goroutine of its own).
type Buffer struct {
	mu   sync.Mutex
	head []byte
	tail []byte
}

// Write keeps what p adds to the head or the tail; it never fails.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(p)
	if room := HeadMax - len(b.head); room > 0 {
		k := min(room, len(p))
		b.head, p = append(b.head, p[:k]...), p[k:]
	}
	b.tail = append(b.tail, p...)
	if over := len(b.tail) - TailMax; over > 0 {
		b.tail = b.tail[over:]
	}
	return n, nil
}

// Reset forgets what was written so far.
func (b *Buffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.head, b.tail = b.head[:0], b.tail[:0]
}

// String is the head followed by the tail.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return string(b.head) + string(b.tail)
}
