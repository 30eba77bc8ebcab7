// Temporary: runs bench cells through interp+mp without the kernel.
package main

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/gomp-kernel/gomp/interp"
	"github.com/gomp-kernel/gomp/mp"
)

type host struct{ s *interp.Session }

func (h host) Target(fn any) (string, error) { return h.s.Target(fn) }
func (h host) Snapshot() ([]byte, error)     { return h.s.Snapshot() }
func (h host) Cell() mp.Cell {
	ctx, o, e := h.s.Current()
	return mp.Cell{Context: ctx, Stdout: o, Stderr: e}
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "worker" {
		s, err := interp.New(interp.Options{})
		if err != nil {
			os.Exit(3)
		}
		if err := mp.ServeWorker(context.Background(), s); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	s, err := interp.New(interp.Options{})
	if err != nil {
		panic(err)
	}
	mp.SetHost(host{s}, mp.Config{})
	src, _ := os.ReadFile("bench/mp_cells.txtar")
	parts := regexp.MustCompile(`(?m)^-- (\S+) --\n`).Split(string(src), -1)
	names := regexp.MustCompile(`(?m)^-- (\S+) --\n`).FindAllStringSubmatch(string(src), -1)
	reps := os.Getenv("REPS")
	if reps == "" {
		reps = "4"
	}
	r := strings.NewReplacer("$reps", reps, "$pool_reps", "2", "$items", "100000", "$fib_n", "23", "$fib_count", "8", "$messages", "2000", "$round_trips", "500")
	for i, n := range names {
		if len(os.Args) > 1 && n[1] != "setup" && !strings.Contains(os.Args[1], n[1]) {
			continue
		}
		t := time.Now()
		_, err := s.Execute(context.Background(), r.Replace(parts[i+1]), interp.IO{Stdout: os.Stdout, Stderr: os.Stderr})
		fmt.Printf("== %s: %v (%v)\n", n[1], err, time.Since(t))
	}
	mp.Shutdown()
}
