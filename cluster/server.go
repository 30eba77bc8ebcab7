package cluster

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
)

// DefaultListen is where `gomp cluster serve` listens without --listen:
// loopback only, so that nothing outside this machine reaches it unless
// the user says so.
const DefaultListen = "127.0.0.1:4222"

// Server is an embedded NATS server with JetStream.
type Server struct {
	ns    *server.Server
	token string
	url   string                      // clients' URL, without credentials
	creds map[string]map[string]Creds // by group and role
}

// ServerOptions configure Serve.
type ServerOptions struct {
	Listen   string // host:port; "" is DefaultListen
	StoreDir string // JetStream's file store; "" is gomp/cluster under the user's cache dir
	Token    string // the legacy shared token; "" generates one
	NoToken  bool   // accept nkeys only
	// Groups are the groups (NATS accounts) besides DefaultGroup. Each
	// has its own task stream: a worker of one never sees another's
	// tasks.
	Groups []string
	// CredsDir, when set, is where each group's credentials are kept
	// (see CredsFile): existing ones are used again, so that clients
	// reconnect after a restart; missing ones are made and written.
	CredsDir string
	// NewCreds makes new credentials even where CredsDir holds some,
	// locking out whoever holds the old ones.
	NewCreds bool
	// TLSCert and TLSKey, when set, make clients speak TLS. TLSCA is the
	// certificate authority clients trust, written into their
	// credentials; "" is TLSCert itself (a self-signed certificate).
	TLSCert, TLSKey, TLSCA string
	// Advertise is the host:port written into credentials; "" is Listen,
	// with this machine's name for an unspecified host (0.0.0.0).
	Advertise string
}

// Serve starts an embedded NATS server with JetStream, nkey
// authentication (a notebook and a worker credential per group) and the
// shared token unless NoToken, and returns once it accepts connections
// and each group's task stream exists.
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
	token := ""
	if !o.NoToken {
		token = o.Token
		if token == "" {
			b := make([]byte, 24)
			if _, err := rand.Read(b); err != nil {
				return nil, fmt.Errorf("cluster serve: generate token: %w", err)
			}
			token = hex.EncodeToString(b)
		}
	}
	groups := append([]string{DefaultGroup}, o.Groups...)
	for i, g := range groups {
		if i > 0 && (g == DefaultGroup || !validGroup(g) || slices.Contains(groups[:i], g)) {
			return nil, fmt.Errorf("cluster serve: group %q: want a unique name of letters, digits, - and _, other than %q and %q", g, DefaultGroup, EmbeddedURL)
		}
	}
	opts := &server.Options{
		ServerName:    "gomp",
		Host:          host,
		Port:          port,
		JetStream:     true,
		StoreDir:      dir,
		Authorization: token,
		NoSigs:        true,
		NoLog:         true,
	}
	s := &Server{token: token, creds: map[string]map[string]Creds{}}
	ca := ""
	if o.TLSCert != "" || o.TLSKey != "" {
		if o.TLSCert == "" || o.TLSKey == "" {
			return nil, fmt.Errorf("cluster serve: TLS needs both a certificate and its key")
		}
		tc, err := server.GenTLSConfig(&server.TLSConfigOpts{CertFile: o.TLSCert, KeyFile: o.TLSKey})
		if err != nil {
			return nil, fmt.Errorf("cluster serve: TLS: %w", err)
		}
		opts.TLS, opts.TLSConfig, opts.TLSTimeout = true, tc, 5
		caFile := o.TLSCA
		if caFile == "" {
			caFile = o.TLSCert
		}
		b, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("cluster serve: TLS: %w", err)
		}
		ca = string(b)
	}
	accounts := map[string]*server.Account{}
	for _, g := range groups {
		var acc *server.Account // the global account, the token's
		if g != DefaultGroup {
			acc = server.NewAccount(g)
			accounts[g] = acc
			opts.Accounts = append(opts.Accounts, acc)
		}
		s.creds[g] = map[string]Creds{}
		for _, role := range []string{RoleNotebook, RoleWorker} {
			dir := o.CredsDir
			if o.NewCreds {
				dir = ""
			}
			c, err := credsFor(dir, g, role)
			if err != nil {
				return nil, err
			}
			c.CA = ca
			kp, err := nkeys.FromSeed([]byte(c.Seed))
			if err != nil {
				return nil, fmt.Errorf("cluster serve: %s credentials of group %s: %w", role, g, err)
			}
			pub, err := kp.PublicKey()
			if err != nil {
				return nil, fmt.Errorf("cluster serve: %s credentials of group %s: %w", role, g, err)
			}
			u := &server.NkeyUser{Nkey: pub, Account: acc}
			if role == RoleWorker {
				u.Permissions = workerPermissions()
			}
			opts.Nkeys = append(opts.Nkeys, u)
			s.creds[g][role] = c
		}
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("cluster serve: %w", err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		ns.Shutdown()
		return nil, fmt.Errorf("cluster serve: NATS server on %s did not start within 10s (port in use?)", listen)
	}
	s.ns = ns
	if err := s.enableJetStream(accounts); err != nil {
		s.Shutdown()
		return nil, err
	}
	s.url = "nats://" + advertised(o.Advertise, host, ns.Addr())
	for _, g := range groups {
		for role, c := range s.creds[g] {
			c.URL = s.url
			s.creds[g][role] = c
			if o.CredsDir != "" {
				if err := c.Write(CredsFile(o.CredsDir, g, role)); err != nil {
					s.Shutdown()
					return nil, err
				}
			}
		}
		// The task stream exists before any worker joins: workers may not
		// make it (see workerPermissions).
		// In process: no TLS, whose certificate may name another host
		// than the one listened on.
		c := s.creds[g][RoleNotebook]
		c.URL, c.CA = "nats://"+strings.TrimPrefix(strings.TrimPrefix(ns.ClientURL(), "tls://"), "nats://"), ""
		nc, _, err := connect(c, "gomp cluster serve", nats.InProcessServer(ns))
		if err != nil {
			s.Shutdown()
			return nil, fmt.Errorf("cluster serve: group %s: %w", g, err)
		}
		nc.Close()
	}
	return s, nil
}

// validGroup says whether g can name a group (and a NATS account and a
// directory).
func validGroup(g string) bool {
	// "embedded" is the embedded server's directory beside the groups'.
	if g == "" || g[0] == '-' || g == EmbeddedURL {
		return false
	}
	for _, r := range g {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// credsFor returns the credentials of a group's role kept in dir, or new
// ones.
func credsFor(dir, group, role string) (Creds, error) {
	if dir != "" {
		if c, err := ReadCreds(CredsFile(dir, group, role)); err == nil && c.Seed != "" {
			return Creds{Group: group, Role: role, Seed: c.Seed}, nil
		}
	}
	kp, err := nkeys.CreateUser()
	if err != nil {
		return Creds{}, fmt.Errorf("cluster serve: make %s credentials of group %s: %w", role, group, err)
	}
	seed, err := kp.Seed()
	if err != nil {
		return Creds{}, fmt.Errorf("cluster serve: make %s credentials of group %s: %w", role, group, err)
	}
	return Creds{Group: group, Role: role, Seed: string(seed)}, nil
}

// workerPermissions are a worker's: everything in its group but
// publishing a task, and changing, restoring or purging the task stream
// (a stream that sources another one takes messages from it). A worker
// credential handed to a lab machine therefore cannot make other workers
// run code.
func workerPermissions() *server.Permissions {
	return &server.Permissions{Publish: &server.SubjectPermission{
		Allow: []string{">"},
		Deny: []string{
			taskPrefix + ">",
			"$JS.API.STREAM.CREATE." + streamName,
			"$JS.API.STREAM.UPDATE." + streamName,
			"$JS.API.STREAM.DELETE." + streamName,
			"$JS.API.STREAM.PURGE." + streamName,
			"$JS.API.STREAM.RESTORE." + streamName,
		},
	}}
}

// enableJetStream turns JetStream on in the groups' accounts (and the
// global one, which the server enables by itself only when it is alone).
func (s *Server) enableJetStream(accounts map[string]*server.Account) error {
	unlimited := map[string]server.JetStreamAccountLimits{"": {
		MaxMemory: -1, MaxStore: -1, MaxStreams: -1, MaxConsumers: -1, MaxAckPending: -1,
		MemoryMaxStreamBytes: -1, StoreMaxStreamBytes: -1,
	}}
	all := []*server.Account{s.ns.GlobalAccount()}
	for name := range accounts {
		acc, err := s.ns.LookupAccount(name)
		if err != nil {
			return fmt.Errorf("cluster serve: group %s: %w", name, err)
		}
		all = append(all, acc)
	}
	for _, acc := range all {
		if acc.JetStreamEnabled() {
			continue
		}
		if err := acc.EnableJetStream(unlimited, nil); err != nil {
			return fmt.Errorf("cluster serve: JetStream for group %s: %w", acc.Name, err)
		}
	}
	return nil
}

// advertised is the host:port clients are told: adv if set, else the
// address the server listens on, with this machine's name for an
// unspecified host.
func advertised(adv, host string, addr net.Addr) string {
	if adv != "" {
		return adv
	}
	port := "4222"
	if a, ok := addr.(*net.TCPAddr); ok {
		port = strconv.Itoa(a.Port)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		if name, err := os.Hostname(); err == nil {
			host = name
		}
	}
	return net.JoinHostPort(host, port)
}

// URL returns the address clients join, with the token in it ("" when
// the server takes nkeys only).
func (s *Server) URL() string {
	if s.token == "" {
		return ""
	}
	return strings.Replace(s.url, "nats://", "nats://"+s.token+"@", 1)
}

// Addr returns the host:port clients join.
func (s *Server) Addr() string { return strings.TrimPrefix(s.url, "nats://") }

// Token returns the clients' token.
func (s *Server) Token() string { return s.token }

// Creds returns the credentials of a group's role.
func (s *Server) Creds(group, role string) (Creds, error) {
	c, ok := s.creds[group][role]
	if !ok {
		return Creds{}, fmt.Errorf("no %s credentials for group %q", role, group)
	}
	return c, nil
}

// Shutdown stops the server.
func (s *Server) Shutdown() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}
