package kernel

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/google/uuid"
)

// Options configures a Server. The zero value works.
type Options struct {
	// Log receives the kernel's own diagnostics (dropped messages, send
	// failures). nil discards them. The kernel never writes to stdout.
	Log *slog.Logger
	// MaxMessageSize bounds one incoming message, the sum of its frames:
	// a peer is disconnected as soon as a frame header announces more,
	// before zmq4 would allocate it (see guard.go). 0 means 32 MiB.
	MaxMessageSize int
	// MaxMessageFrames bounds the number of frames in one incoming
	// message, empty ones included; a peer is disconnected at the frame
	// past it. 0 means 4096.
	MaxMessageFrames int
	// HandshakeTimeout bounds the time from a connection's acceptance to
	// the end of its ZMTP handshake; a peer that takes longer is
	// disconnected. 0 means 10 seconds.
	HandshakeTimeout time.Duration
}

// Server is a Jupyter kernel: it binds the five sockets of a connection
// file and serves the protocol to frontends, running code through an
// Engine. Create it with NewServer, serve with Run, stop it with a
// shutdown_request or by cancelling Run's context.
type Server struct {
	engine  Engine
	log     *slog.Logger
	conn    ConnectionInfo // with the ports actually bound
	session string
	codec   codec

	shell, control, stdin, heartbeat *port
	iopub                            *publisher
	shellQ, controlQ                 *queue

	// ctx is done when the server stops: Run's context ended or a
	// shutdown_request was answered. Every blocking operation watches it.
	ctx     context.Context
	stop    context.CancelFunc
	started atomic.Bool

	comms commTable // the comms open now, by either side

	// Owned by the shell goroutine.
	count   int // execution_count of the last cell that stored history
	history history

	mu         sync.Mutex
	cancelCell context.CancelCauseFunc // interrupts the running cell; nil when none runs
	waiting    *inputWait              // the Input waiting for an input_reply, if any
	inputMu    sync.Mutex              // one Input at a time

	// queued, when set (by tests), is called after the shell port queues a
	// request.
	queued func()
}

// NewServer binds the sockets described by conn and returns a server ready
// to Run. A port of 0 binds a free port; Connection reports which.
func NewServer(conn ConnectionInfo, engine Engine, opts Options) (*Server, error) {
	if engine == nil {
		return nil, errors.New("new kernel server: nil Engine")
	}
	if conn.Key != "" && conn.SignatureScheme != "" && conn.SignatureScheme != "hmac-sha256" {
		return nil, fmt.Errorf("new kernel server: signature scheme %q not supported (want hmac-sha256)", conn.SignatureScheme)
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		engine:  engine,
		log:     log,
		conn:    conn,
		session: uuid.NewString(),
		codec: codec{signer: newSigner([]byte(conn.Key)), maxSize: opts.MaxMessageSize,
			maxFrames: opts.MaxMessageFrames, seen: newDigestHistory(digestHistorySize)},
		shellQ:   newQueue(),
		controlQ: newQueue(),
	}
	s.ctx, s.stop = context.WithCancel(context.Background())

	zlog := slog.NewLogLogger(log.With("component", "zmq4").Handler(), slog.LevelWarn)
	socks := []struct {
		name string
		port *int
		new  func(context.Context, ...zmq4.Option) zmq4.Socket
		sock zmq4.Socket
	}{
		{name: "shell", port: &s.conn.ShellPort, new: zmq4.NewRouter},
		{name: "control", port: &s.conn.ControlPort, new: zmq4.NewRouter},
		{name: "stdin", port: &s.conn.StdinPort, new: zmq4.NewRouter},
		{name: "iopub", port: &s.conn.IOPubPort, new: zmq4.NewPub},
		// ROUTER, not REP, as in ipykernel: echoing the routing frames
		// back answers REQ clients, and zmq4's REP would route a reply to
		// whichever peer it last received from, which races with a second
		// frontend's ping.
		{name: "heartbeat", port: &s.conn.HBPort, new: zmq4.NewRouter},
	}
	limits := guardLimits{
		message:   frameLimits{bytes: uint64(orDefault(opts.MaxMessageSize, defaultMaxMessageSize)), frames: orDefault(opts.MaxMessageFrames, defaultMaxFrames)},
		handshake: orDefault(opts.HandshakeTimeout, defaultHandshakeTimeout),
		backlog:   backlog{msgs: defaultBacklogMsgs, bytes: defaultBacklogBytes, catchUp: defaultCatchUp},
		linger:    defaultLinger,
	}
	for i := range socks {
		sk := &socks[i]
		// Sockets get their own context: the server closes each one from
		// its owning goroutine after the last send, not when s.ctx ends.
		sk.sock = sk.new(context.Background(), zmq4.WithLogger(zlog))
		ep, err := guardedEndpoint(conn, *sk.port, sk.sock.Type(), limits, log.With("socket", sk.name))
		if err == nil {
			err = sk.sock.Listen(ep)
		}
		if err != nil {
			for _, prev := range socks[:i+1] {
				prev.sock.Close()
			}
			return nil, fmt.Errorf("bind %s socket to %s: %w", sk.name, conn.endpoint(*sk.port), err)
		}
		if a, ok := sk.sock.Addr().(*net.TCPAddr); ok {
			*sk.port = a.Port
		}
	}
	s.shell = newPort("shell", socks[0].sock, log)
	s.control = newPort("control", socks[1].sock, log)
	s.stdin = newPort("stdin", socks[2].sock, log)
	s.iopub = newPublisher(socks[3].sock, s.codec, s.session, s.ctx.Done(), log)
	s.heartbeat = newPort("heartbeat", socks[4].sock, log)
	return s, nil
}

// Connection returns the connection information the server is bound to:
// conn as given to NewServer, with ports of 0 replaced by the ones picked.
func (s *Server) Connection() ConnectionInfo {
	return s.conn
}

// Run serves until a shutdown_request has been answered or ctx is done,
// then closes the sockets and returns nil once every goroutine it started
// has ended. That includes a running Engine.Execute, which is interrupted
// and must return. Run may be called once.
func (s *Server) Run(ctx context.Context) error {
	if !s.started.CompareAndSwap(false, true) {
		return errors.New("kernel server: Run called twice")
	}
	unlink := context.AfterFunc(ctx, s.stop)
	defer unlink()
	defer s.stop()

	var wg sync.WaitGroup
	wg.Go(func() { s.iopub.run(s.ctx) })
	if err := s.iopub.status(nil, "starting"); err != nil {
		s.log.Warn("publish starting status", "err", err)
	}
	wg.Go(func() { s.heartbeat.serve(s.ctx, s.echo) })
	wg.Go(func() { s.shell.serve(s.ctx, s.receiver(s.shell, onShell, s.shellQ)) })
	wg.Go(func() { s.control.serve(s.ctx, s.receiver(s.control, onControl, s.controlQ)) })
	wg.Go(func() { s.stdin.serve(s.ctx, s.inputReply) })
	wg.Go(func() { s.serveQueue(s.shellQ) })
	wg.Go(func() { s.serveQueue(s.controlQ) })
	s.log.Info("kernel started", "session", s.session, "shell", s.conn.endpoint(s.conn.ShellPort))
	wg.Wait()
	s.log.Info("kernel stopped", "session", s.session)
	return nil
}

// Interrupt cancels the ctx of the cell running now, if any; its Execute
// is expected to return an error satisfying errors.Is(err, ErrInterrupted).
// It is safe to call from any goroutine, a signal handler's included, and
// never blocks on the cell. main calls it on SIGINT, which is how Jupyter
// interrupts a kernel whose interrupt_mode is "signal".
func (s *Server) Interrupt() {
	s.mu.Lock()
	cancel := s.cancelCell
	s.mu.Unlock()
	if cancel != nil {
		cancel(ErrInterrupted)
		s.log.Info("cell interrupted")
	}
}

// echo answers a heartbeat with what it received, routing identity
// included. It runs on the heartbeat port's goroutine, so it sends on the
// socket directly.
func (s *Server) echo(frames [][]byte) {
	if err := s.heartbeat.sock.Send(zmq4.NewMsgFrom(frames...)); err != nil {
		s.log.Warn("heartbeat echo failed", "err", err)
	}
}

// receiver returns the handler for messages arriving on p: check and decode
// each, and queue it for the goroutine serving q. Bad messages are logged
// and dropped; they never reach a handler. zmq4's ROUTER prepends one
// frame, the peer's ZMTP Identity (a uuid it assigns when the peer sets
// none), so a request's ids are that frame plus whatever the peer put
// before <IDS|MSG>, and replies routed to ids reach that peer.
func (s *Server) receiver(p *port, on socketSet, q *queue) func([][]byte) {
	return func(frames [][]byte) {
		m, err := s.codec.decode(frames)
		if err != nil {
			s.log.Warn("dropped message", "socket", p.name, "err", err)
			return
		}
		q.push(&request{message: m, from: p, on: on})
		if q == s.shellQ && s.queued != nil {
			s.queued()
		}
	}
}

// orDefault returns v, or def when v is not positive.
func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}
