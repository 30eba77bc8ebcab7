package interp

import (
	"fmt"
	"io"
	"os"
	"reflect"
	"time"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"

	"github.com/gomp-kernel/gomp/interp/symbols"
)

// exports lists the symbol tables a new interpreter uses, in order: yaegi's
// standard library (the Go 1.22 set), mp (import "mp"), then the session's
// overrides of os.Stdin and time.Sleep.
func (s *Session) exports() []yaegi.Exports {
	var stdin io.Reader = s.stdin
	overrides := yaegi.Exports{
		"os/os":     {"Stdin": reflect.ValueOf(&stdin).Elem()},
		"time/time": {"Sleep": reflect.ValueOf(s.sleep)},
	}
	if s.exitProcess {
		// In an mp child, os.Exit ends the process with its code, as
		// sys.exit does in a Python child: the parent sees the exit code.
		overrides["os/os"]["Exit"] = reflect.ValueOf(os.Exit)
	}
	return []yaegi.Exports{
		stdlib.Symbols,
		{"mp/mp": symbols.Symbols[symbols.MP]},
		overrides,
	}
}

// sleep is time.Sleep for cells: it returns early when the current cell is
// interrupted, so that the interpreter can stop the code that called it.
func (s *Session) sleep(d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.current().ctx.Done():
	}
}

// fatalExports makes log.Fatal* in cells log through the interpreter's
// logger (so SetFlags and SetPrefix apply) and then end the cell like
// os.Exit(1) does in restricted mode, instead of yaegi's plain panic.
func fatalExports(yi *yaegi.Interpreter) yaegi.Exports {
	output, ok := yi.Symbols("log")["log"]["Output"].Interface().(func(int, string) error)
	if !ok {
		return nil
	}
	exit := func(msg string) {
		output(3, msg)
		panic("os.Exit(1)")
	}
	return yaegi.Exports{"log/log": {
		"Fatal":   reflect.ValueOf(func(v ...any) { exit(fmt.Sprint(v...)) }),
		"Fatalf":  reflect.ValueOf(func(format string, v ...any) { exit(fmt.Sprintf(format, v...)) }),
		"Fatalln": reflect.ValueOf(func(v ...any) { exit(fmt.Sprintln(v...)) }),
	}}
}
