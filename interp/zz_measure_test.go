package interp

import (
	"sort"
	"testing"
	"time"
)

func med(t *testing.T, s *Session, code string, n int) time.Duration {
	var ds []time.Duration
	for range n {
		t0 := time.Now()
		runCell(t, s, "In[9]", code, nil, false)
		ds = append(ds, time.Since(t0))
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	return ds[len(ds)/2]
}

func TestZZMeasure(t *testing.T) {
	s := newTestSession(t)
	mustRun(t, s, "import (\"slices\"; \"fmt\"; \"math/rand\")\ntype big uint32\nxs := make([]int, 100000)\nfor i := range xs { xs[i] = rand.Intn(1000000) }\nzs := []uint32{3, 1, 2}\nws := []int{3, 1, 2}")
	t.Logf("trivial cell (median of 50): %v", med(t, s, "x := 1\n_ = x", 50))
	t0 := time.Now()
	t.Logf("first compiled instance cell: %s %v", runCell(t, s, "In[3]", "slices.Sort(ws)", nil, false), time.Since(t0))
	t0 = time.Now()
	t.Logf("first interpreted instance (slices.Sort of []uint32): %s %v", runCell(t, s, "In[4]", "slices.Sort(zs)", nil, false), time.Since(t0))
	t.Logf("same cell again (median of 20): %v", med(t, s, "slices.Sort(zs)", 20))
	t0 = time.Now()
	t.Logf("slices.Sort 1e5 ints: %s %v", runCell(t, s, "In[5]", "slices.Sort(xs)\nfmt.Println(slices.IsSorted(xs))", nil, false), time.Since(t0))
}
