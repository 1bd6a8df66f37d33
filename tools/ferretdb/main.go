// Command tally-ferretdb runs FerretDB (MongoDB wire protocol on SQLite) for tests and local dev.
//
// Why a program of our own: `go install github.com/FerretDB/FerretDB/cmd/ferretdb` panics at start
// because build/version/version.txt is not part of the Go module (FerretDB issue #2982).
// The embeddable package skips that check, so we wrap it with the two flags we need.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listenAddr := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	sqliteDir := flag.String("sqlite-dir", "", "directory for SQLite files (created if missing)")
	// warn is noisy: FerretDB logs every unsupported command (e.g. endSessions) at warn level
	logLevel := flag.String("log-level", "error", "debug, info, warn or error")
	flag.Parse()

	if err := run(*listenAddr, *sqliteDir, *logLevel); err != nil {
		fmt.Fprintln(os.Stderr, "tally-ferretdb:", err)
		os.Exit(1)
	}
}

func run(listenAddr, sqliteDir, logLevel string) error {
	if sqliteDir == "" {
		return errors.New("--sqlite-dir is required")
	}
	dir, err := filepath.Abs(sqliteDir)
	if err != nil {
		return err
	}
	// FerretDB requires the SQLite directory to exist.
	if err = os.MkdirAll(dir, 0o755); err != nil {
		return err
	}

	var level slog.Level
	if err = level.UnmarshalText([]byte(logLevel)); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: listenAddr},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + dir + "/", // trailing slash: a directory, not a file
	})
	if err != nil {
		return err
	}

	// SIGTERM/SIGINT cancel the context; Run then closes listeners, connections and the backend.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	err = f.Run(ctx)
	if err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
