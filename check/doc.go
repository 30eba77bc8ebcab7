// Package check is what a test cell of a Go assignment uses instead of
// Python's assert. Cells write import "check".
//
//	check.Equal(sum([]int{1, 2, 3}), 6)
//	check.Near(mean(xs), 2.5, 1e-9)
//	check.True(len(words) > 0, "words is empty")
//	check.Panics(func() { pop(nil) })
//	check.Output(func() { greet("Ada") }, "Hello, Ada!\n")
//	check.Within(2*time.Second, func() { primes(100000) })
//
// A check that holds does nothing. One that fails stops the cell with a
// CheckError that names the check, the values and the cell line, with a
// line per difference for slices, maps and structs, and no Go stack:
//
//	CheckError: check.Equal: got [1 2 4], want [1 2 3] at In[5]:2
//	  [2]: got 4, want 3
//
// so that nbgrader's autograde and `gomp run --grade` score the cell 0
// and the student's feedback says what was wrong. Checks work the same
// under the kernel, `gomp run` and in mp children (a failed check in a
// pool worker fails that task, and its message reaches the parent).
package check
