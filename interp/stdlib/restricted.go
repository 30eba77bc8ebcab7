package stdlib

import (
	"fmt"
	"io"
	"log"
	"os"
	"strconv"
)

// The extractor names these instead of the standard symbols os.Exit,
// os.FindProcess, log.Fatal, Fatalf, Fatalln, log.New and log.Logger, so
// that the package can provide its own (yaegi's convention). gomp's keep
// the kernel alive: an exit panics with "os.Exit(N)", which ends the cell
// with an exit error; everything else is the standard behaviour.

// osExit panics instead of ending the process.
func osExit(code int) { panic("os.Exit(" + strconv.Itoa(code) + ")") }

// osFindProcess is os.FindProcess, the process itself included.
var osFindProcess = os.FindProcess

// logFatal prints as log.Fatal does, then exits the cell.
func logFatal(v ...any) { fatal(log.Default(), fmt.Sprint(v...)) }

// logFatalf prints as log.Fatalf does, then exits the cell.
func logFatalf(format string, v ...any) { fatal(log.Default(), fmt.Sprintf(format, v...)) }

// logFatalln prints as log.Fatalln does, then exits the cell.
func logFatalln(v ...any) { fatal(log.Default(), fmt.Sprintln(v...)) }

// fatal writes msg through l and exits the cell.
func fatal(l *log.Logger, msg string) {
	l.Output(3, msg)
	osExit(1)
}

// logLogger is log.Logger with Fatal, Fatalf and Fatalln that exit the
// cell; every other method is log.Logger's.
type logLogger struct {
	*log.Logger
}

// logNew is log.New for cells.
func logNew(out io.Writer, prefix string, flag int) *logLogger {
	return &logLogger{log.New(out, prefix, flag)}
}

// Fatal prints as log.Logger's Fatal does, then exits the cell.
func (l *logLogger) Fatal(v ...any) { fatal(l.Logger, fmt.Sprint(v...)) }

// Fatalf prints as log.Logger's Fatalf does, then exits the cell.
func (l *logLogger) Fatalf(format string, v ...any) { fatal(l.Logger, fmt.Sprintf(format, v...)) }

// Fatalln prints as log.Logger's Fatalln does, then exits the cell.
func (l *logLogger) Fatalln(v ...any) { fatal(l.Logger, fmt.Sprintln(v...)) }
