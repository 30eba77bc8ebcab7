package interp

import (
	"strings"
	"testing"
)

// TestLoopClosures runs loops that start goroutines or hand func
// literals to compiled code, each of which must see its own iteration's
// variables as in Go 1.22 (the sums and values are go run's), and checks
// that literals elsewhere keep working.
func TestLoopClosures(t *testing.T) {
	prelude := `import ("fmt"; "sort"; "sync"; "time")
var mu sync.Mutex`
	for _, tc := range []struct {
		name, cell, want string
	}{
		{"WaitGroup.Go in a range over int", `var wg sync.WaitGroup
total := 0
for i := range 10 {
	wg.Go(func() { mu.Lock(); total += i; mu.Unlock() })
}
wg.Wait()
fmt.Println(total)`, "45\n"},
		{"WaitGroup.Go in a three-clause loop", `var wg sync.WaitGroup
total := 0
for i := 0; i < 10; i++ {
	wg.Go(func() { mu.Lock(); total += i; mu.Unlock() })
}
wg.Wait()
fmt.Println(total)`, "45\n"},
		{"time.AfterFunc in a range over a slice, in an if", `var wg sync.WaitGroup
total := 0
for _, v := range []int{1, 2, 3} {
	if v > 0 {
		wg.Add(1)
		time.AfterFunc(time.Millisecond, func() { mu.Lock(); total += v; mu.Unlock(); wg.Done() })
	}
}
wg.Wait()
fmt.Println(total)`, "6\n"},
		{"inside a func, nested in an argument", `func run() int {
	var wg sync.WaitGroup
	t := 0
	for i := range 10 {
		wg.Go(func() { mu.Lock(); t += i; mu.Unlock() })
	}
	wg.Wait()
	return t
}
fmt.Println(run())`, "45\n"},
		{"sort.Slice's less func in a loop", `rows := [][]int{{3, 1, 2}, {9, 8}}
for _, r := range rows {
	sort.Slice(r, func(a, b int) bool { return r[a] < r[b] })
}
fmt.Println(rows)`, "[[1 2 3] [8 9]]\n"},
		{"goroutines per iteration, each counting its own i once", `func count(n int) int {
	var wg sync.WaitGroup
	seen := make([]int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mu.Lock()
			seen[i]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	wrong := 0
	for _, c := range seen {
		if c != 1 {
			wrong++
		}
	}
	return wrong
}
wrong := 0
for range 40 {
	wrong += count(200)
}
fmt.Println(wrong, "wrong")`, "0 wrong\n"},
		{"a literal called at once is left alone", `for i := range 2 {
	func() { fmt.Println("now", i) }()
}`, "now 0\nnow 1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := runCells(t, []string{prelude, tc.cell})
			if got[0] != "" || got[1] != tc.want {
				t.Errorf("got %q, want %q", strings.Join(got, " | "), tc.want)
			}
		})
	}
}
