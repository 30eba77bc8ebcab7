package cluster

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// DefaultListen is where `gomp cluster serve` listens without --listen:
// loopback only, so that nothing outside this machine reaches it unless
// the user says so.
const DefaultListen = "127.0.0.1:4222"

// Server is an embedded NATS server with JetStream.
type Server struct {
	ns    *server.Server
	token string
}

// ServerOptions configure Serve.
type ServerOptions struct {
	Listen   string // host:port; "" is DefaultListen
	StoreDir string // JetStream's file store; "" is gomp/cluster under the user's cache dir
	Token    string // clients' token; "" generates one
}

// Serve starts an embedded NATS server with JetStream and token
// authentication, and returns once it accepts connections.
func Serve(o ServerOptions) (*Server, error) {
	listen := o.Listen
	if listen == "" {
		listen = DefaultListen
	}
	host, portText, err := net.SplitHostPort(listen)
	if err != nil {
		return nil, fmt.Errorf("cluster serve: listen address %q: %w", listen, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil {
		return nil, fmt.Errorf("cluster serve: listen address %q: port %q is not a number", listen, portText)
	}
	if port == 0 {
		// As with net.Listen, port 0 is any free port (NATS takes 0 for
		// its default, 4222, and -1 for a free one).
		port = server.RANDOM_PORT
	}
	dir := o.StoreDir
	if dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("cluster serve: find the cache directory for JetStream's store: %w", err)
		}
		dir = filepath.Join(cache, "gomp", "cluster")
	}
	token := o.Token
	if token == "" {
		b := make([]byte, 24)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("cluster serve: generate token: %w", err)
		}
		token = hex.EncodeToString(b)
	}
	ns, err := server.NewServer(&server.Options{
		ServerName:    "gomp",
		Host:          host,
		Port:          port,
		JetStream:     true,
		StoreDir:      dir,
		Authorization: token,
		NoSigs:        true,
		NoLog:         true,
	})
	if err != nil {
		return nil, fmt.Errorf("cluster serve: %w", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		return nil, fmt.Errorf("cluster serve: NATS server on %s did not start within 10s (port in use?)", listen)
	}
	return &Server{ns: ns, token: token}, nil
}

// URL returns the address clients join, with the token in it.
func (s *Server) URL() string {
	u := s.ns.ClientURL()
	return strings.Replace(u, "nats://", "nats://"+s.token+"@", 1)
}

// Token returns the clients' token.
func (s *Server) Token() string { return s.token }

// Shutdown stops the server.
func (s *Server) Shutdown() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}

// ReadCreds reads a token written by WriteCreds.
func ReadCreds(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read cluster credentials: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("read cluster credentials: %s is empty", path)
	}
	return tok, nil
}

// WriteCreds writes token to path, readable by its owner only.
func WriteCreds(path, token string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("write cluster credentials: %w", err)
	}
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		return fmt.Errorf("write cluster credentials: %w", err)
	}
	return nil
}
