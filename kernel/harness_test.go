package kernel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/google/uuid"
)

// testEngine is a tiny language for protocol tests. A cell is one command:
//
//	print X      writes X and a newline to stdout
//	eprint X     writes X and a newline to stderr
//	value X      returns X as text/plain
//	display X    publishes X as display_data
//	page X       returns X as a page payload
//	redraw X     shows X under display id "d1", clears with wait, updates "d1" to X!
//	lines N      writes N lines to stdout
//	bytes N      writes N bytes ("x") to stdout, 1 MiB at a time
//	fail         returns an *ExecError
//	panic        panics
//	sleep        blocks until ctx is done
//	gate         blocks until the test closes gate, then fails
//	input P      asks for input with prompt P and prints "got: " and the answer
//	late         returns at once; a goroutine prints "late" once the test closes gate
//	open ID      opens comm ID with target "echo" (see Comm for the rest)
type testEngine struct {
	started chan string   // receives the code of each cell as it starts
	gate    chan struct{} // closed by open
	once    sync.Once
	lateWG  sync.WaitGroup

	mu  sync.Mutex
	ran []string
}

func newTestEngine() *testEngine {
	return &testEngine{started: make(chan string, 1000), gate: make(chan struct{})}
}

// open releases the cells blocked on the gate.
func (e *testEngine) open() { e.once.Do(func() { close(e.gate) }) }

func (e *testEngine) Info() LanguageInfo {
	return LanguageInfo{
		Name: "go", Version: "1.26", MIMEType: "text/x-go", FileExtension: ".go",
		PygmentsLexer: "go", CodeMirrorMode: "go", Banner: "test banner",
		HelpLinks:      []HelpLink{{Text: "Go", URL: "https://go.dev"}},
		Implementation: "gomp", ImplVersion: "0.0.1",
	}
}

// codes returns the cells run so far.
func (e *testEngine) codes() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.ran...)
}

func (e *testEngine) Execute(ctx context.Context, code string, cell Cell) (*Result, error) {
	e.mu.Lock()
	e.ran = append(e.ran, code)
	e.mu.Unlock()
	e.started <- code
	cmd, arg, _ := strings.Cut(code, " ")
	switch cmd {
	case "print":
		fmt.Fprintln(cell.Stdout(), arg)
	case "eprint":
		fmt.Fprintln(cell.Stderr(), arg)
	case "value":
		return &Result{Data: MIMEBundle{"text/plain": arg}}, nil
	case "display":
		return nil, cell.Display(Display{Data: MIMEBundle{"text/html": arg}})
	case "page":
		return &Result{Page: MIMEBundle{"text/plain": arg}}, nil
	case "redraw":
		if err := cell.Display(Display{Data: MIMEBundle{"text/plain": arg}, ID: "d1"}); err != nil {
			return nil, err
		}
		if err := cell.ClearOutput(true); err != nil {
			return nil, err
		}
		if err := cell.Display(Display{Update: true}); err == nil {
			return nil, errors.New("an update without an id was published")
		}
		return nil, cell.Display(Display{Data: MIMEBundle{"text/plain": arg + "!"}, ID: "d1", Update: true})
	case "lines":
		n, _ := strconv.Atoi(arg)
		for i := range n {
			fmt.Fprintf(cell.Stdout(), "line %d\n", i)
		}
	case "bytes":
		n, _ := strconv.Atoi(arg)
		chunk := []byte(strings.Repeat("x", 1<<20))
		for ; n > 0; n -= len(chunk) {
			cell.Stdout().Write(chunk[:min(n, len(chunk))])
		}
	case "fail":
		return nil, &ExecError{Name: "TestError", Value: "it failed", Traceback: []string{"tb 1", "tb 2"}}
	case "panic":
		panic("boom")
	case "sleep":
		<-ctx.Done()
		return nil, fmt.Errorf("sleep: %w", context.Cause(ctx))
	case "gate":
		<-e.gate
		return nil, &ExecError{Name: "TestError", Value: "gate failed"}
	case "input":
		v, err := cell.Input(arg, false)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(cell.Stdout(), "got: %s\n", v)
	case "open":
		return nil, cell.Comm(CommMessage{Type: CommOpen, CommID: arg, Target: "echo", Data: json.RawMessage(`{"from":"kernel"}`),
			Metadata: json.RawMessage(`{"version":"1"}`)})
	case "late":
		w := cell.Stdout()
		e.lateWG.Go(func() {
			<-e.gate
			fmt.Fprintln(w, "late")
		})
	}
	return nil, nil
}

func (e *testEngine) IsComplete(code string) (string, string) {
	switch {
	case strings.HasSuffix(code, "{"):
		return "incomplete", "\t"
	case code == "}":
		return "invalid", ""
	}
	return "complete", ""
}

func (e *testEngine) Complete(code string, cursor int) Completion {
	return Completion{Matches: []string{"Println", "Printf"}, CursorStart: cursor - 5, CursorEnd: cursor}
}

func (e *testEngine) Inspect(code string, cursor, detail int) (MIMEBundle, bool) {
	if code == "" {
		return nil, false
	}
	return MIMEBundle{"text/plain": fmt.Sprintf("doc of %s at %d (%d)", code, cursor, detail)}, true
}

// testKey signs the test kernel's messages.
const testKey = "0123456789abcdef-test-key"

// msg is a message as the test client sees it.
type msg struct {
	Header   header
	Parent   header
	Content  map[string]any
	Metadata map[string]any
	Buffers  [][]byte
	ids      [][]byte
}

// harness is a kernel Server running on loopback with a zmq4 client
// connected to all five sockets, as a frontend would be.
type harness struct {
	t      testing.TB
	srv    *Server
	engine *testEngine
	codec  codec
	sess   string

	shell, control, stdin, iopub, hb zmq4.Socket

	in      map[zmq4.Socket]chan msg // what each client socket received
	backlog []msg                    // iopub messages read but not yet asked for
	runErr  chan error
	cancel  context.CancelFunc
}

// startKernel starts a server for engine on ephemeral loopback ports (from
// a temporary connection file with ports 0) and connects a client. If
// before is not nil it runs after the server is bound and the client is
// connected, but before Run. The first iopub message, status "starting",
// is checked and consumed.
func startKernel(t testing.TB, engine *testEngine, before func(*Server)) *harness {
	t.Helper()
	conn := loopbackConnection(t)
	srv, err := NewServer(conn, engine, Options{})
	if err != nil {
		t.Fatal(err)
	}
	bound := srv.Connection()
	h := &harness{
		t: t, srv: srv, engine: engine, sess: uuid.NewString(),
		codec:  codec{signer: newSigner([]byte(testKey))},
		in:     map[zmq4.Socket]chan msg{},
		runErr: make(chan error, 1),
	}
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	id := zmq4.SocketIdentity(h.sess) // shell and stdin share it, as frontends do
	h.shell = h.dial(zmq4.NewDealer(ctx, zmq4.WithID(id)), bound.endpoint(bound.ShellPort))
	h.control = h.dial(zmq4.NewDealer(ctx), bound.endpoint(bound.ControlPort))
	h.stdin = h.dial(zmq4.NewDealer(ctx, zmq4.WithID(id)), bound.endpoint(bound.StdinPort))
	h.iopub = h.dial(zmq4.NewSub(ctx), bound.endpoint(bound.IOPubPort))
	h.hb = h.dial(zmq4.NewReq(ctx), bound.endpoint(bound.HBPort))
	if err := h.iopub.SetOption(zmq4.OptionSubscribe, ""); err != nil {
		t.Fatal(err)
	}
	waitSubscribed(t, srv.iopub.sock)
	for _, s := range []zmq4.Socket{h.shell, h.control, h.stdin, h.iopub} {
		h.in[s] = make(chan msg, 4096)
		go h.receive(s, h.in[s])
	}
	if before != nil {
		before(srv)
	}
	go func() { h.runErr <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		engine.open()
		h.waitRun()
		engine.lateWG.Wait()
		for _, s := range []zmq4.Socket{h.shell, h.control, h.stdin, h.iopub, h.hb} {
			s.Close()
		}
	})
	if m := h.nextIOPub(); m.Header.MsgType != "status" || m.Content["execution_state"] != "starting" || m.Parent.MsgID != "" {
		t.Fatalf("first iopub message = %s %v parent %q, want status starting without parent", m.Header.MsgType, m.Content, m.Parent.MsgID)
	}
	return h
}

func (h *harness) dial(s zmq4.Socket, ep string) zmq4.Socket {
	h.t.Helper()
	if err := s.Dial(ep); err != nil {
		h.t.Fatalf("dial %s: %v", ep, err)
	}
	return s
}

// waitSubscribed returns once the PUB socket pub has a subscription. zmq4
// gives no event for it, so this polls; it asserts nothing about time.
func waitSubscribed(t testing.TB, pub zmq4.Socket) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(pub.(zmq4.Topics).Topics()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the subscription never reached the PUB socket")
		}
		time.Sleep(time.Millisecond)
	}
}

// receive decodes what s receives onto c until s is closed.
func (h *harness) receive(s zmq4.Socket, c chan<- msg) {
	for {
		zm, err := s.Recv()
		if err != nil {
			return
		}
		m, err := h.codec.decode(zm.Frames)
		if err != nil {
			h.t.Errorf("client got a bad message: %v", err)
			return
		}
		out := msg{Header: m.header, ids: m.ids, Buffers: m.buffers}
		if err := json.Unmarshal(m.metadata, &out.Metadata); err != nil {
			h.t.Errorf("metadata: %v", err)
		}
		if err := json.Unmarshal(m.parent, &out.Parent); err != nil {
			h.t.Errorf("parent header: %v", err)
		}
		if err := json.Unmarshal(m.content, &out.Content); err != nil {
			h.t.Errorf("content: %v", err)
		}
		c <- out
	}
}

// waitRun waits for Run to return and checks it returned nil.
func (h *harness) waitRun() {
	h.t.Helper()
	select {
	case err, ok := <-h.runErr:
		if ok && err != nil {
			h.t.Errorf("Run returned %v, want nil", err)
		}
		if ok {
			close(h.runErr)
		}
	case <-time.After(30 * time.Second):
		h.t.Fatal("Run did not return")
	}
}

// frames builds a signed request from the client's session.
func (h *harness) frames(msgType string, content any) ([][]byte, string) {
	h.t.Helper()
	m, err := newMessage(h.sess, msgType, nil, content)
	if err != nil {
		h.t.Fatal(err)
	}
	m.header.Username = "test"
	f, err := h.codec.encode(m)
	if err != nil {
		h.t.Fatal(err)
	}
	return f, m.header.MsgID
}

// send sends a request on s and returns its msg_id.
func (h *harness) send(s zmq4.Socket, msgType string, content any) string {
	h.t.Helper()
	f, id := h.frames(msgType, content)
	h.sendFrames(s, f)
	return id
}

func (h *harness) sendFrames(s zmq4.Socket, f [][]byte) {
	h.t.Helper()
	if err := s.Send(zmq4.NewMsgFrom(f...)); err != nil {
		h.t.Fatal(err)
	}
}

// next returns the next message s received.
func (h *harness) next(s zmq4.Socket) msg {
	h.t.Helper()
	select {
	case m := <-h.in[s]:
		return m
	case <-time.After(30 * time.Second):
		h.t.Fatal("no message arrived")
	}
	return msg{}
}

// nextIOPub returns the next iopub message, from the backlog first.
func (h *harness) nextIOPub() msg {
	h.t.Helper()
	if len(h.backlog) > 0 {
		m := h.backlog[0]
		h.backlog = h.backlog[1:]
		return m
	}
	return h.next(h.iopub)
}

// reply waits for the reply to msgID on s.
func (h *harness) reply(s zmq4.Socket, msgID string) msg {
	h.t.Helper()
	m := h.next(s)
	if m.Parent.MsgID != msgID {
		h.t.Fatalf("got %s for %s, want the reply to %s", m.Header.MsgType, m.Parent.MsgID, msgID)
	}
	return m
}

// outputs returns the iopub messages parented to msgID, through its idle
// status (ipykernel's assemble_output). Others are kept for later.
func (h *harness) outputs(msgID string) []msg {
	h.t.Helper()
	var out, other []msg
	for {
		m := h.nextIOPub()
		if m.Parent.MsgID != msgID {
			other = append(other, m)
			continue
		}
		out = append(out, m)
		if m.Header.MsgType == "status" && m.Content["execution_state"] == "idle" {
			h.backlog = append(other, h.backlog...)
			return out
		}
	}
}

// request sends a request on s and returns its reply and iopub messages.
func (h *harness) request(s zmq4.Socket, msgType string, content any) (msg, []msg) {
	h.t.Helper()
	id := h.send(s, msgType, content)
	r := h.reply(s, id)
	return r, h.outputs(id)
}

// execute runs code with the given extra content fields.
func (h *harness) execute(code string, extra map[string]any) (msg, []msg) {
	h.t.Helper()
	c := map[string]any{"code": code, "silent": false, "store_history": true,
		"user_expressions": map[string]any{}, "allow_stdin": false, "stop_on_error": true}
	for k, v := range extra {
		c[k] = v
	}
	return h.request(h.shell, "execute_request", c)
}

// types lists the msg_types of ms, with the state of status messages.
func types(ms []msg) []string {
	var out []string
	for _, m := range ms {
		t := m.Header.MsgType
		if t == "status" {
			t += ":" + fmt.Sprint(m.Content["execution_state"])
		}
		out = append(out, t)
	}
	return out
}

// streamText concatenates the text of the stream messages named name.
func streamText(ms []msg, name string) string {
	var b strings.Builder
	for _, m := range ms {
		if m.Header.MsgType == "stream" && m.Content["name"] == name {
			b.WriteString(m.Content["text"].(string))
		}
	}
	return b.String()
}

// loopbackConnection is a connection file's content for a kernel on
// loopback tcp ports the system chooses, signed with testKey, read back
// through ReadConnectionFile as a kernel reads its own.
func loopbackConnection(t testing.TB) ConnectionInfo {
	t.Helper()
	path := filepath.Join(t.TempDir(), "kernel.json")
	cf := fmt.Sprintf(`{"transport":"tcp","ip":"127.0.0.1","shell_port":0,"control_port":0,
		"stdin_port":0,"iopub_port":0,"hb_port":0,"key":%q,"signature_scheme":"hmac-sha256"}`, testKey)
	if err := os.WriteFile(path, []byte(cf), 0o600); err != nil {
		t.Fatal(err)
	}
	conn, err := ReadConnectionFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}
