package mp

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// WithOutputPrefix makes a Pool's workers' output lines start with the
// process that printed them, as Ray does: "(pid=4312) " on a local pool,
// "(pid=4312, ip=10.0.0.7) " on a cluster pool (WithCluster), whose lines
// come from several machines. SetOutputPrefix turns it on for every pool.
func WithOutputPrefix(on bool) Option {
	return func(o *poolOptions) { o.prefix, o.prefixSet = on, true }
}

var prefixSetting struct {
	mu  sync.Mutex
	on  bool
	set bool // by SetOutputPrefix or from GOMP_OUTPUT_PREFIX
}

// SetOutputPrefix turns output prefixes (see WithOutputPrefix) on or off
// for every later NewPool without WithOutputPrefix. The default is off,
// or on when the environment variable GOMP_OUTPUT_PREFIX is 1 or true when
// the kernel or `gomp run` starts.
func SetOutputPrefix(on bool) {
	prefixSetting.mu.Lock()
	prefixSetting.on, prefixSetting.set = on, true
	prefixSetting.mu.Unlock()
}

// prefixFor reports whether a pool with options o prefixes its output.
func prefixFor(o poolOptions) bool {
	if o.prefixSet {
		return o.prefix
	}
	prefixSetting.mu.Lock()
	defer prefixSetting.mu.Unlock()
	if !prefixSetting.set {
		v := strings.ToLower(os.Getenv("GOMP_OUTPUT_PREFIX"))
		prefixSetting.on, prefixSetting.set = v == "1" || v == "true", true
	}
	return prefixSetting.on
}

// pidPrefix is the prefix of the lines of process pid, and ip's when ip
// is not empty: "(pid=4312) " or "(pid=4312, ip=10.0.0.7) ".
func pidPrefix(pid int, ip string) string {
	if ip == "" {
		return fmt.Sprintf("(pid=%d) ", pid)
	}
	return fmt.Sprintf("(pid=%d, ip=%s) ", pid, ip)
}

// linePrefixer writes to w with prefix at the start of every line. Its
// writes are a child's output as mp cuts it (whole lines, or pieces of a
// long one), so a prefix never lands inside a line.
type linePrefixer struct {
	w      io.Writer
	prefix string
	inLine bool // the last write did not end its line
}

// prefixed returns w with prefix before each line, w itself when prefix
// is empty or w is nil.
func prefixed(w io.Writer, prefix string) io.Writer {
	if prefix == "" || w == nil {
		return w
	}
	return &linePrefixer{w: w, prefix: prefix}
}

// Write writes p, prefixing each line that starts in it.
func (l *linePrefixer) Write(p []byte) (int, error) {
	buf := make([]byte, 0, len(p)+len(l.prefix)*2)
	rest := p
	for len(rest) > 0 {
		if !l.inLine {
			buf = append(buf, l.prefix...)
		}
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			buf = append(buf, rest...)
			l.inLine = true
			break
		}
		buf = append(buf, rest[:i+1]...)
		rest = rest[i+1:]
		l.inLine = false
	}
	if _, err := l.w.Write(buf); err != nil {
		return 0, err
	}
	return len(p), nil
}
