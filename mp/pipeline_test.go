package mp

import (
	"errors"
	"os"
	"reflect"
	"testing"
)

func exitAt(n int) int {
	if n == 3 {
		os.Exit(3)
	}
	return n
}

func init() { funcs["exitAt"] = exitAt }

// TestPoolPipeline checks the tasks a worker holds behind the running one:
// when the worker dies, the running task fails and the next one, sent but
// never started, runs on its replacement.
func TestPoolPipeline(t *testing.T) {
	newCell(t)
	pool := NewPool(1, WithChunkSize(2))
	defer pool.Terminate()
	var got []Item
	for it := range pool.Imap(exitAt, []int{1, 2, 3, 4, 5, 6}) {
		got = append(got, it)
	}
	if len(got) != 6 {
		t.Fatalf("%d items, want 6: %v", len(got), got)
	}
	for i, it := range got {
		switch i {
		case 2, 3: // the chunk that killed its worker
			if !errors.Is(it.Err, ErrWorkerDied) {
				t.Errorf("item %d: %v, want ErrWorkerDied", i, it.Err)
			}
		default:
			if it.Err != nil || it.Value != i+1 {
				t.Errorf("item %d = %v, %v; want %d", i, it.Value, it.Err, i+1)
			}
		}
	}
	xs := make([]int, 1000)
	want := make([]any, len(xs))
	for i := range xs {
		xs[i], want[i] = i, i*i
	}
	if out, err := pool.Map(square, xs); err != nil || !reflect.DeepEqual(out, want) {
		t.Errorf("Map after the replacement: %v", err)
	}
}
