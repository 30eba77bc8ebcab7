package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/gomp-kernel/gomp/check"
	"github.com/gomp-kernel/gomp/cluster"
	"github.com/gomp-kernel/gomp/interp"
	"github.com/gomp-kernel/gomp/mp"
)

const clusterUsage = `Usage: gomp cluster serve [--listen HOST:PORT] [--store DIR] [--creds FILE]
       [--group NAME]... [--tls-cert FILE --tls-key FILE [--tls-ca FILE]]
       [--advertise HOST:PORT] [--no-token] [--new-token]

Runs a NATS server with JetStream for pools across machines. It listens on
127.0.0.1:4222 unless --listen says otherwise (0.0.0.0:4222 for a lab) and
keeps its store in DIR (default: gomp/cluster in the user's cache
directory).

Credentials: beside FILE (default: gomp/cluster/token in the user's config
directory) it writes, mode 0600, notebook-creds.json (may publish tasks:
for notebooks) and worker-creds.json (may only take tasks: for lab
machines), nkeys of the default group; each --group NAME gets its own pair
in NAME/, and its own task queue that no other group's worker sees. FILE
holds the shared token (all rights in the default group), unless
--no-token. A restarted server keeps them (--new-token makes new ones,
locking the old ones out).

TLS: --tls-cert and --tls-key make clients speak TLS; the credentials
files carry --tls-ca (default: the certificate itself, for a self-signed
one) for clients to trust.

  gomp worker --creds DIR/worker-creds.json
  mp.NewPool(8, mp.WithCluster("DIR/notebook-creds.json"))
`

// runCluster is `gomp cluster serve`: it serves until SIGINT or SIGTERM.
func runCluster(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "serve" {
		fmt.Fprint(stderr, clusterUsage)
		return exitCode(2)
	}
	fs := flag.NewFlagSet("gomp cluster serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", cluster.DefaultListen, "address to listen on")
	store := fs.String("store", "", "JetStream store directory")
	creds := fs.String("creds", "", "file to write the token to (an existing one's token is kept); the nkey credentials go beside it")
	newToken := fs.Bool("new-token", false, "generate a new token and nkeys even if the creds files hold some")
	noToken := fs.Bool("no-token", false, "accept nkey credentials only")
	var groups []string
	fs.Func("group", "a group with its own credentials and task queue (repeatable)", func(g string) error {
		groups = append(groups, g)
		return nil
	})
	tlsCert := fs.String("tls-cert", "", "TLS certificate (PEM)")
	tlsKey := fs.String("tls-key", "", "TLS certificate's private key (PEM)")
	tlsCA := fs.String("tls-ca", "", "CA clients trust (default: the certificate)")
	advertise := fs.String("advertise", "", "HOST:PORT written in the credentials (default: the listen address)")
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 0 {
		return exitCode(2)
	}
	if *creds == "" {
		dir, err := os.UserConfigDir()
		if err != nil {
			return fmt.Errorf("cluster serve: find the config directory for the token: %w", err)
		}
		*creds = filepath.Join(dir, "gomp", "cluster", "token")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// A restarted server keeps its token, so that workers and pools
	// reconnect; --new-token makes another (and locks out the old one).
	token := ""
	if !*newToken {
		if c, err := cluster.ReadCreds(*creds); err == nil {
			token = c.Token
		}
	}
	credsDir := filepath.Dir(*creds)
	s, err := cluster.Serve(cluster.ServerOptions{
		Listen: *listen, StoreDir: *store, Token: token, NoToken: *noToken,
		Groups: groups, CredsDir: credsDir, NewCreds: *newToken,
		TLSCert: *tlsCert, TLSKey: *tlsKey, TLSCA: *tlsCA, Advertise: *advertise,
	})
	if err != nil {
		return err
	}
	defer s.Shutdown()
	tlsNote := ""
	if *tlsCert != "" {
		tlsNote = " with TLS"
	}
	fmt.Fprintf(stdout, "gomp cluster: serving %s%s\n", s.Addr(), tlsNote)
	if !*noToken {
		if err := cluster.WriteCreds(*creds, s.Token()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "shared token (all rights) in %s\njoin with: gomp worker --join %s --creds %s\npools use: mp.WithCluster(%q)\n",
			*creds, "nats://"+s.Addr(), *creds, s.URL())
	}
	for _, g := range append([]string{cluster.DefaultGroup}, groups...) {
		fmt.Fprintf(stdout, "group %s: workers join with: gomp worker --creds %s\ngroup %s: notebooks use: mp.WithCluster(%q)\n",
			g, cluster.CredsFile(credsDir, g, cluster.RoleWorker), g, cluster.CredsFile(credsDir, g, cluster.RoleNotebook))
	}
	<-ctx.Done()
	return nil
}

// joinUsage describes `gomp worker --join`.
const joinUsage = `Usage: gomp worker --join [URL] [--creds FILE] [--slots N]

Joins a cluster and runs tasks of pools made with mp.WithCluster, N at a
time (default: the number of cores), each on a worker process of this gomp
binary, or of the notebook's compiled worker, fetched from the cluster
once and checked by its hash, when it was built for this platform by this
gomp version (the worker logs which). Tasks from a kernel of another
gomp version are refused.

  --creds FILE   a worker-creds.json of gomp cluster serve (it holds the
                 URL: --join may be left out), or a file holding the token
  --join URL     nats://HOST:PORT (the token in it, or in --creds)
  --join         alone: this machine's embedded cluster, which a kernel
                 starts for pools made with mp.WithCluster("")
`

// runJoin is `gomp worker --join`: it serves until SIGINT or SIGTERM.
func runJoin(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gomp worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	join := fs.String("join", "", "cluster URL")
	slots := fs.Int("slots", runtime.NumCPU(), "tasks run at once")
	creds := fs.String("creds", "", "credentials file, or a file holding the token")
	ackWait := fs.Duration("ack-wait", cluster.DefaultAckWait, "time without a heartbeat after which a task goes to another worker")
	if err := fs.Parse(embeddedJoin(args)); err != nil || fs.NArg() != 0 || *join == "" && *creds == "" {
		fmt.Fprint(stderr, joinUsage)
		return exitCode(2)
	}
	var c cluster.Creds
	switch {
	case *join == cluster.EmbeddedURL:
		config, _, err := cluster.EmbeddedDirs()
		if err != nil {
			return err
		}
		if c, err = cluster.EmbeddedWorkerCreds(config); err != nil {
			return err
		}
	case *creds != "":
		var err error
		if c, err = cluster.ReadCreds(*creds); err != nil {
			return err
		}
	}
	if *join != "" && *join != cluster.EmbeddedURL {
		c.URL = *join
	}
	if c.URL == "" {
		return fmt.Errorf("worker: %s holds no server URL: give it with --join", *creds)
	}
	sess, err := interp.New(interp.Options{})
	if err != nil {
		return fmt.Errorf("worker: start interpreter: %w", err)
	}
	defer sess.Close()
	mp.SetHost(sess, mp.Config{})
	check.SetHost(sess)
	defer mp.Shutdown()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return cluster.Join(ctx, cluster.WorkerOptions{
		URL: c.URL, Token: c.Token, Nkey: c.Seed, CA: c.CA, Slots: *slots, AckWait: *ackWait, Version: Version,
		Ready: func() {
			fmt.Fprintf(stdout, "gomp worker: joined %s with %d slots at %s\n", c.URL, *slots, time.Now().Format(time.TimeOnly))
		},
	})
}

// embeddedJoin reads a --join without a value (the last argument, or one
// followed by another flag) as --join embedded: Go's flag package would
// refuse it.
func embeddedJoin(args []string) []string {
	out := slices.Clone(args)
	for i, a := range out {
		if (a == "--join" || a == "-join") && (i+1 == len(out) || strings.HasPrefix(out[i+1], "-")) {
			out[i] = "--join=" + cluster.EmbeddedURL
		}
	}
	return out
}
