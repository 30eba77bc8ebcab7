package cluster

import (
	"testing"

	"github.com/nats-io/nats.go"
)

// replyMsg is a reply of kind for task id from delivery attempt.
func replyMsg(id, attempt, kind, data string) *nats.Msg {
	m := nats.NewMsg(replyPrefix + "p")
	m.Header.Set(hTask, id)
	m.Header.Set(hAttempt, attempt)
	m.Header.Set(hKind, kind)
	m.Data = []byte(data)
	return m
}

// TestReplyDedupe feeds the replies of a task that was redelivered: the
// first result wins, later ones (a slow first attempt finishing after
// all) are dropped, and each attempt's output is kept apart so that only
// the winning attempt's lines are shown.
func TestReplyDedupe(t *testing.T) {
	p := &pool{pending: map[string]*pending{}, bySeq: map[uint64]string{}}
	w := &pending{out: map[string][]piece{}, done: make(chan reply, 1)}
	p.pending["7"] = w
	for _, m := range []*nats.Msg{
		replyMsg("7", "3.1", kindOut, "first try\n"),
		replyMsg("7", "5.1", kindOut, "second try\n"),
		replyMsg("7", "5.1", kindErr, "warning\n"),
		replyMsg("7", "5.1", kindResult, "R2"),
		replyMsg("7", "3.1", kindOut, "late line\n"),
		replyMsg("7", "3.1", kindResult, "R1"),
		replyMsg("8", "1", kindResult, "unknown task"),
	} {
		p.reply(m) // a second send on done would block here
	}
	r := <-w.done
	if r.attempt != "5.1" || string(r.body) != "R2" {
		t.Fatalf("result %+v, want attempt 2's R2", r)
	}
	select {
	case r := <-w.done:
		t.Fatalf("a second result was delivered: %+v", r)
	default:
	}
	got := w.out["5.1"]
	if len(got) != 2 || string(got[0].data) != "second try\n" || got[0].stderr || string(got[1].data) != "warning\n" || !got[1].stderr {
		t.Errorf("attempt 2's output = %+v", got)
	}
	if len(p.pending) != 0 {
		t.Errorf("pending after the result: %v", p.pending)
	}
}

// TestReplyMissingOutput drops a result whose attempt's output did not
// all arrive (sent while the pool was reconnecting) and waits for the
// attempt published again.
func TestReplyMissingOutput(t *testing.T) {
	p := &pool{pending: map[string]*pending{}, bySeq: map[uint64]string{}}
	w := &pending{out: map[string][]piece{}, done: make(chan reply, 1)}
	p.pending["1"] = w
	incomplete := replyMsg("1", "4.1", kindResult, "R4")
	incomplete.Header.Set(hPieces, "2")
	complete := replyMsg("1", "9.1", kindResult, "R9")
	complete.Header.Set(hPieces, "1")
	for _, m := range []*nats.Msg{replyMsg("1", "4.1", kindOut, "second line\n"), incomplete, replyMsg("1", "9.1", kindOut, "line\n"), complete} {
		p.reply(m)
	}
	r := <-w.done
	if string(r.body) != "R9" || len(w.out["9.1"]) != 1 || len(w.out["4.1"]) != 0 {
		t.Fatalf("result %q with output %v, want R9 with its one line", r.body, w.out)
	}
}
