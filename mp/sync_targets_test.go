package mp

import (
	"fmt"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// The notebook functions of the shared-object tests, run in children.
func init() {
	for name, f := range map[string]any{
		"qProducer":    qProducer,
		"qConsume":     qConsume,
		"arrSquare":    arrSquare,
		"pipeSender":   pipeSender,
		"pipeReceive":  pipeReceive,
		"incrUnsafe":   incrUnsafe,
		"incrLocked":   incrLocked,
		"lockAndDie":   lockAndDie,
		"echo":         echo,
		"putBig":       putBig,
		"putMany":      putMany,
		"eventWaiter":  eventWaiter,
		"semHolder":    semHolder,
		"barrierParty": barrierParty,
		"condWaiter":   condWaiter,
		"rlockTwice":   rlockTwice,
		"jqWorker":     jqWorker,
		"putPoint":     putPoint,
		"addValue":     addValue,
		"viaChild":     viaChild,
		"grandchild":   grandchild,
		"poolPut":      poolPut,
		"poolInit":     poolInit,
		"putHuge":      putHuge,
	} {
		funcs[name] = f
	}
}

func qProducer(q *Queue) {
	for _, s := range []string{"Rahim", "Karim", "Fahim"} {
		q.Put(s)
	}
}

func qConsume(q *Queue) {
	for {
		item, err := q.Get()
		if err != nil || item == nil {
			return
		}
		fmt.Println(item)
	}
}

func arrSquare(i int, a *Array) {
	v := a.View().([]int)
	v[i] = v[i] * v[i]
}

func pipeSender(c *Connection, msg []string) {
	for _, m := range msg {
		c.Send(m)
	}
	c.Close()
}

func pipeReceive(c *Connection) {
	for {
		m, err := c.Recv()
		if err != nil {
			fmt.Println("recv:", err)
			return
		}
		fmt.Println(m)
	}
}

// incrUnsafe reads, yields and writes back: the lesson's lost update. The
// barrier lines the processes up so that their loops overlap.
func incrUnsafe(v *Value, b *Barrier, n int) {
	b.Wait()
	for range n {
		x := v.Get().(int)
		runtime.Gosched()
		v.Set(x + 1)
	}
}

func incrLocked(v *Value, b *Barrier, n int) {
	b.Wait()
	l := v.GetLock()
	for range n {
		l.Acquire()
		x := v.Get().(int)
		runtime.Gosched()
		v.Set(x + 1)
		l.Release()
	}
}

func addValue(v *Value, b *Barrier, n int) {
	b.Wait()
	for range n {
		v.Add(1)
	}
}

// lockAndDie takes the lock, says so (Event.Set answers only once the
// broker has it), waits until the parent has seen it held, and kills
// itself.
func lockAndDie(l *Lock, held, die *Event) {
	l.Acquire()
	held.Set()
	die.Wait()
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	time.Sleep(time.Hour)
}

func echo(c *Connection) {
	for {
		m, err := c.Recv()
		if err != nil {
			return
		}
		c.Send(m)
	}
}

func putBig(q *Queue, n int) { q.Put(make([]byte, n)) }

func putMany(q *Queue, n int) {
	for i := range n {
		q.Put(i)
	}
	q.Put(nil)
}

func eventWaiter(e *Event, q *Queue) {
	e.Wait()
	q.Put("woke")
}

func semHolder(s *Semaphore, q *Queue, e *Event) {
	s.Acquire()
	q.Put("in")
	e.Wait()
	s.Release()
}

func barrierParty(b *Barrier, q *Queue) {
	i, err := b.Wait()
	if err != nil {
		q.Put(err.Error())
		return
	}
	q.Put(i)
}

func condWaiter(c *Condition, q *Queue) {
	c.Acquire()
	q.Put("waiting")
	c.Wait()
	q.Put("notified")
	c.Release()
}

func rlockTwice(l *RLock, q *Queue) {
	l.Acquire()
	l.Acquire()
	l.Release()
	l.Release()
	q.Put("reentered")
}

func jqWorker(q *JoinableQueue, out *Queue) {
	for {
		x, err := q.Get()
		if err != nil || x == nil {
			q.TaskDone()
			return
		}
		out.Put(x.(int) * 10)
		q.TaskDone()
	}
}

func putPoint(q *Queue) { q.Put(point{X: 1, Y: 2, Label: "p"}) }

// start starts a Process of fn(args...) and registers its Join.
func start(t testing.TB, fn any, args ...any) *Process {
	t.Helper()
	p := NewProcess(fn, args...)
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	return p
}

func join(t testing.TB, ps ...*Process) {
	t.Helper()
	for _, p := range ps {
		if err := p.Join(); err != nil {
			t.Fatal(err)
		}
	}
}

// get takes an item, failing the test after a minute instead of hanging.
func get(t testing.TB, q *Queue) any {
	t.Helper()
	v, err := q.GetTimeout(time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// viaChild passes the handles it received on to a grandchild.
func viaChild(q *Queue, a *Array, c *Connection, l *Lock) error {
	p := NewProcess(grandchild, q, a, c, l)
	if err := p.Start(); err != nil {
		return err
	}
	c.Close()
	return p.Join()
}

func grandchild(q *Queue, a *Array, c *Connection, l *Lock) {
	l.Acquire()
	a.Set(0, a.Get(0).(int)*a.Get(0).(int))
	l.Release()
	q.Put(fmt.Sprintf("%s, grandchild of %s", CurrentProcess().Name, ParentProcess().Name))
	c.Send("hello from below")
	c.Close()
}

func poolPut(q *Queue, x int) int {
	q.Put(x * x)
	return x
}

func poolInit(q *Queue) { q.Put("init") }

// putHuge announces itself, then puts an item big enough to be killed
// while sending it.
func putHuge(q, started *Queue) {
	started.Put(true)
	q.Put(make([]byte, 256<<20))
}
