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
	"syscall"
	"time"

	"github.com/gomp-kernel/gomp/check"
	"github.com/gomp-kernel/gomp/cluster"
	"github.com/gomp-kernel/gomp/interp"
	"github.com/gomp-kernel/gomp/mp"
)

const clusterUsage = `Usage: gomp cluster serve [--listen HOST:PORT] [--store DIR] [--creds FILE] [--new-token]

Runs a NATS server with JetStream for pools across machines. It listens on
127.0.0.1:4222 unless --listen says otherwise (0.0.0.0:4222 for a lab),
keeps its store in DIR (default: gomp/cluster in the user's cache
directory), generates a token, writes it to FILE (default:
gomp/cluster/token in the user's config directory, mode 0600) and prints
the URL workers and notebooks join with. A restarted server keeps the
token FILE holds (--new-token makes a new one, locking the old one out):

  gomp worker --join nats://HOST:4222 --creds FILE
  mp.NewPool(8, mp.WithCluster("nats://TOKEN@HOST:4222"))
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
	creds := fs.String("creds", "", "file to write the token to (an existing one's token is kept)")
	newToken := fs.Bool("new-token", false, "generate a new token even if the creds file holds one")
	if err := fs.Parse(args[1:]); err != nil {
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
		if t, err := cluster.ReadCreds(*creds); err == nil {
			token = t
		}
	}
	s, err := cluster.Serve(cluster.ServerOptions{Listen: *listen, StoreDir: *store, Token: token})
	if err != nil {
		return err
	}
	defer s.Shutdown()
	if err := cluster.WriteCreds(*creds, s.Token()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "gomp cluster: serving %s (token in %s)\njoin with: gomp worker --join %s --creds %s\npools use: mp.WithCluster(%q)\n",
		*listen, *creds, "nats://"+*listen, *creds, s.URL())
	<-ctx.Done()
	return nil
}

// joinUsage describes `gomp worker --join`.
const joinUsage = `Usage: gomp worker --join URL [--slots N] [--creds FILE]

Joins the cluster at URL (nats://HOST:PORT, the token in URL or in the
file --creds names) and runs tasks of pools made with mp.WithCluster, N at
a time (default: the number of cores), each on a worker process of this
gomp binary, or of the notebook's compiled worker, fetched from the
cluster once and checked by its hash, when it was built for this platform
by this gomp version (the worker logs which). Tasks from a kernel of
another gomp version are refused.
`

// runJoin is `gomp worker --join`: it serves until SIGINT or SIGTERM.
func runJoin(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gomp worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	join := fs.String("join", "", "cluster URL")
	slots := fs.Int("slots", runtime.NumCPU(), "tasks run at once")
	creds := fs.String("creds", "", "file holding the token")
	ackWait := fs.Duration("ack-wait", cluster.DefaultAckWait, "time without a heartbeat after which a task goes to another worker")
	if err := fs.Parse(args); err != nil || *join == "" || fs.NArg() != 0 {
		fmt.Fprint(stderr, joinUsage)
		return exitCode(2)
	}
	token := ""
	if *creds != "" {
		t, err := cluster.ReadCreds(*creds)
		if err != nil {
			return err
		}
		token = t
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
		URL: *join, Token: token, Slots: *slots, AckWait: *ackWait, Version: Version,
		Ready: func() {
			fmt.Fprintf(stdout, "gomp worker: joined %s with %d slots at %s\n", *join, *slots, time.Now().Format(time.TimeOnly))
		},
	})
}
