package mp

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// Array is a fixed-size array of numbers in shared memory, as Python's
// multiprocessing.Array: every process that has it reads and writes the
// same memory (a file in /dev/shm mapped MAP_SHARED), nothing is copied or
// synced through the parent. Its element type is that of the slice it was
// created from: int, int8...int64, uint, uint8...uint64, float32 or
// float64.
//
// Plain reads and writes are not synchronised, as in any shared memory;
// Add is atomic, and GetLock returns the array's lock for compound updates.
// The memory is removed when its creator calls Close or mp shuts down;
// processes that mapped it keep their mapping until they end.
type Array struct {
	path string
	elem reflect.Type
	n    int
	mem  []byte
	lock *Lock
	own  bool
	err  error
}

// NewArray creates a shared array holding a copy of init, a slice of one
// of the supported number types: mp.NewArray([]int{2, 3, 4}) or
// mp.NewArray(make([]float64, 100)). A failure is returned by the
// methods that can fail.
func NewArray(init any) *Array {
	a, err := newArray(init)
	if err != nil {
		return &Array{err: fmt.Errorf("mp.NewArray: %w", err)}
	}
	return a
}

func newArray(init any) (*Array, error) {
	v := reflect.ValueOf(init)
	if v.Kind() != reflect.Slice || !sharedKind(v.Type().Elem().Kind()) {
		return nil, fmt.Errorf("init is a %T, want a slice of ints, uints or floats", init)
	}
	et := basicTypes[v.Type().Elem().Kind()]
	size := v.Len() * int(et.Size())
	f, err := os.CreateTemp(shmDir, fmt.Sprintf("gomp-%d-mp-*", os.Getpid()))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	state.segments.Lock()
	if state.segments.own == nil {
		removeStale()
		state.segments.own = map[string]bool{}
	}
	state.segments.own[f.Name()] = true
	state.segments.Unlock()
	if err := f.Truncate(int64(max(size, 1))); err != nil {
		unlinkSegment(f.Name())
		return nil, err
	}
	mem, err := mapSegment(f, max(size, 1))
	if err != nil {
		unlinkSegment(f.Name())
		return nil, err
	}
	a := &Array{path: f.Name(), elem: et, n: v.Len(), mem: mem[:size], lock: NewLock(), own: true}
	reflect.Copy(a.view(), v.Convert(reflect.SliceOf(et)))
	return a, nil
}

func sharedKind(k reflect.Kind) bool {
	return k >= reflect.Int && k <= reflect.Uint64 || k == reflect.Float32 || k == reflect.Float64
}

// segmentTable holds the shared memory files this process created
// (removed at Shutdown) and the ones it has mapped, by path (mapped once
// per process, however many handles arrive).
type segmentTable struct {
	sync.Mutex
	own    map[string]bool
	mapped map[string][]byte
}

func mapSegment(f *os.File, size int) ([]byte, error) {
	mem, err := syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("map shared memory: %w", err)
	}
	state.segments.Lock()
	if state.segments.mapped == nil {
		state.segments.mapped = map[string][]byte{}
	}
	state.segments.mapped[f.Name()] = mem
	state.segments.Unlock()
	return mem, nil
}

func unlinkSegment(path string) {
	state.segments.Lock()
	delete(state.segments.own, path)
	state.segments.Unlock()
	os.Remove(path)
}

// removeSegments removes the files of the segments this process created;
// Shutdown calls it. Mappings stay valid.
func removeSegments() {
	state.segments.Lock()
	own := state.segments.own
	state.segments.own = nil
	state.segments.Unlock()
	for path := range own {
		os.Remove(path)
	}
}

func openArray(r *reader) (any, error) {
	path, k, n := r.string(), reflect.Kind(r.uint()), int(r.uint())
	lk, err := decodeLock(r)
	if err = errors.Join(r.err, err); err != nil {
		return nil, err
	}
	et := basicTypes[k]
	if !sharedKind(k) {
		return nil, errCorrupt
	}
	size := n * int(et.Size())
	state.segments.Lock()
	mem := state.segments.mapped[path]
	state.segments.Unlock()
	if mem == nil {
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return nil, fmt.Errorf("open shared memory: %w", err)
		}
		mem, err = mapSegment(f, max(size, 1))
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	return &Array{path: path, elem: et, n: n, mem: mem[:size], lock: lk}, nil
}

func decodeLock(r *reader) (*Lock, error) {
	x := readRef(r)
	return &Lock{r: x}, x.err
}

func (a *Array) appendHandle(dst []byte) ([]byte, error) {
	if a.err != nil {
		return dst, a.err
	}
	dst = body(dst).string(a.path).uint(uint64(a.elem.Kind())).uint(uint64(a.n))
	return a.lock.appendHandle(dst)
}

func init() {
	registerHandle(reflect.TypeOf((*Array)(nil)), openArray)
	registerHandle(reflect.TypeOf((*Value)(nil)), func(r *reader) (any, error) {
		a, err := openArray(r)
		if err != nil {
			return nil, err
		}
		return &Value{a: a.(*Array)}, nil
	})
}

// view is the shared memory as a slice of the element type.
func (a *Array) view() reflect.Value {
	if a.n == 0 {
		return reflect.MakeSlice(reflect.SliceOf(a.elem), 0, 0)
	}
	return reflect.ValueOf(reflect.SliceAt(a.elem, unsafe.Pointer(&a.mem[0]), a.n).Interface())
}

// View returns the shared memory itself as a slice ([]int for an array
// made from a []int): writing to it writes to every process's array. It
// is nil for an array that failed to be created.
func (a *Array) View() any {
	if a.err != nil {
		return nil
	}
	return a.view().Interface()
}

// Slice returns a copy of the array's current contents, as a slice of its
// element type.
func (a *Array) Slice() any {
	if a.err != nil {
		return nil
	}
	v := a.view()
	c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
	reflect.Copy(c, v)
	return c.Interface()
}

// Len is the number of elements.
func (a *Array) Len() int { return a.n }

// Get returns element i (nil when i is out of range).
func (a *Array) Get(i int) any {
	if a.err != nil || i < 0 || i >= a.n {
		return nil
	}
	return a.view().Index(i).Interface()
}

// Set stores v, a number converted to the element type, at index i.
func (a *Array) Set(i int, v any) error {
	if a.err != nil {
		return a.err
	}
	if i < 0 || i >= a.n {
		return fmt.Errorf("array set: index %d out of range [0:%d]", i, a.n)
	}
	x := reflect.ValueOf(v)
	if !x.IsValid() || !sharedKind(x.Kind()) {
		return fmt.Errorf("array set: %T is not a number", v)
	}
	a.view().Index(i).Set(x.Convert(a.elem))
	return nil
}

// Add adds delta (a number) to element i atomically and returns the new
// value: with a hardware atomic for 32- and 64-bit integers, under the
// array's lock for other element types.
func (a *Array) Add(i int, delta any) (any, error) {
	if a.err != nil {
		return nil, a.err
	}
	if i < 0 || i >= a.n {
		return nil, fmt.Errorf("array add: index %d out of range [0:%d]", i, a.n)
	}
	d := reflect.ValueOf(delta)
	if !d.IsValid() || !sharedKind(d.Kind()) {
		return nil, fmt.Errorf("array add: %T is not a number", delta)
	}
	p := unsafe.Pointer(&a.mem[i*int(a.elem.Size())])
	dv := d.Convert(a.elem)
	switch a.elem.Kind() {
	case reflect.Int, reflect.Int64:
		n := atomic.AddInt64((*int64)(p), dv.Int())
		return reflect.ValueOf(n).Convert(a.elem).Interface(), nil
	case reflect.Uint, reflect.Uint64:
		n := atomic.AddUint64((*uint64)(p), dv.Uint())
		return reflect.ValueOf(n).Convert(a.elem).Interface(), nil
	case reflect.Int32:
		return atomic.AddInt32((*int32)(p), int32(dv.Int())), nil
	case reflect.Uint32:
		return atomic.AddUint32((*uint32)(p), uint32(dv.Uint())), nil
	}
	if err := a.lock.Acquire(); err != nil {
		return nil, fmt.Errorf("array add: %w", err)
	}
	defer a.lock.Release()
	e := a.view().Index(i)
	switch {
	case e.CanInt():
		e.SetInt(e.Int() + dv.Int())
	case e.CanUint():
		e.SetUint(e.Uint() + dv.Uint())
	default:
		e.SetFloat(e.Float() + dv.Float())
	}
	return e.Interface(), nil
}

// GetLock returns the array's lock, shared by every process that has the
// array, for updates that must not interleave. It is named after Python's
// get_lock(); a method Lock would read as taking the lock.
func (a *Array) GetLock() *Lock {
	if a.lock == nil {
		return &Lock{r: ref{err: a.err}}
	}
	return a.lock
}

// Close removes the shared memory file if this process created the array
// (processes that mapped it keep their view). The array stays usable in
// this process.
func (a *Array) Close() error {
	if a.own {
		unlinkSegment(a.path)
	}
	return a.err
}

// String prints the contents, as a slice prints.
func (a *Array) String() string {
	if a.err != nil {
		return fmt.Sprintf("<Array invalid: %v>", a.err)
	}
	return fmt.Sprint(a.Slice())
}

// Value is a single number in shared memory, as Python's
// multiprocessing.Value: an Array of one element.
type Value struct{ a *Array }

// NewValue creates a shared number holding init, whose type (int,
// float64, ...) is the value's type.
func NewValue(init any) *Value {
	t := reflect.TypeOf(init)
	if t == nil || !sharedKind(t.Kind()) {
		return &Value{a: &Array{err: fmt.Errorf("mp.NewValue: init is a %T, want an int, uint or float", init)}}
	}
	s := reflect.MakeSlice(reflect.SliceOf(t), 1, 1)
	s.Index(0).Set(reflect.ValueOf(init))
	return &Value{a: NewArray(s.Interface())}
}

// Get returns the value.
func (v *Value) Get() any { return v.a.Get(0) }

// Set stores x, converted to the value's type.
func (v *Value) Set(x any) error { return v.a.Set(0, x) }

// Add adds delta atomically and returns the new value (see Array.Add).
func (v *Value) Add(delta any) (any, error) { return v.a.Add(0, delta) }

// GetLock returns the value's lock (see Array.GetLock).
func (v *Value) GetLock() *Lock { return v.a.GetLock() }

// Close removes the shared memory file (see Array.Close).
func (v *Value) Close() error { return v.a.Close() }

// String prints the value.
func (v *Value) String() string { return fmt.Sprint(v.Get()) }

func (v *Value) appendHandle(dst []byte) ([]byte, error) { return v.a.appendHandle(dst) }
