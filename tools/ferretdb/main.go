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
	"runtime/debug"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listenAddr := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to listen on")
	sqliteDir := flag.String("sqlite-dir", "", "directory for SQLite files (created if missing)")
	// warn is noisy: FerretDB logs every unsupported command (e.g. endSessions) at warn level
	logLevel := flag.String("log-level", "error", "debug, info, warn or error")
	// SQLite's default (full) syncs the WAL to disk at every commit; normal syncs it at checkpoints only: a crash
	// of this process loses nothing, an OS crash or power loss can lose the last commits (MongoDB's own default,
	// a write acknowledged before its journal's next sync)
	synchronous := flag.String("sqlite-synchronous", "full", "full or normal")
	flag.Parse()

	// FerretDB builds a document tree for every document it reads or writes; at Go's default (a collection each
	// time the heap doubles) a micro-benchmark of reads and updates of 120-counter documents took ~30% more of its
	// CPU than at 400 (the bench's FerretDB peaks at 170-193 MB instead of 134). GOGC in the environment still decides.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}

	if err := run(*listenAddr, *sqliteDir, *logLevel, *synchronous); err != nil {
		fmt.Fprintln(os.Stderr, "tally-ferretdb:", err)
		os.Exit(1)
	}
}

func run(listenAddr, sqliteDir, logLevel, synchronous string) error {
	if sqliteDir == "" {
		return errors.New("--sqlite-dir is required")
	}
	if synchronous != "full" && synchronous != "normal" {
		return fmt.Errorf("--sqlite-synchronous must be full or normal, not %q", synchronous)
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
	logger := slog.New(&lazyHandler{inner: slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})})

	f, err := ferretdb.New(&ferretdb.Config{
		Listener: ferretdb.ListenerConfig{TCP: listenAddr},
		Logger:   logger,
		Handler:  "sqlite",
		// trailing slash: a directory, not a file; FerretDB adds its own pragmas (WAL, busy timeout) to these
		SQLiteURL: "file:" + dir + "/?_pragma=synchronous(" + synchronous + ")",
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

// lazyHandler formats a logger's attributes only when a record is written. FerretDB derives a logger with
// attributes (`With`) for every SQL query it runs, even when only errors are logged, and slog's TextHandler
// formats them at once: about 7% of FerretDB's CPU under the bench's load (perf).
type lazyHandler struct {
	inner slog.Handler
	// each a group name or attributes, in the order they were added
	steps []lazyStep
}

type lazyStep struct {
	group string
	attrs []slog.Attr
}

func (h *lazyHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

func (h *lazyHandler) Handle(ctx context.Context, r slog.Record) error {
	handler := h.inner
	for _, s := range h.steps {
		if s.attrs != nil {
			handler = handler.WithAttrs(s.attrs)
		} else {
			handler = handler.WithGroup(s.group)
		}
	}
	return handler.Handle(ctx, r)
}

func (h *lazyHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	return h.with(lazyStep{attrs: append([]slog.Attr(nil), attrs...)})
}

func (h *lazyHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return h.with(lazyStep{group: name})
}

func (h *lazyHandler) with(s lazyStep) *lazyHandler {
	steps := make([]lazyStep, len(h.steps), len(h.steps)+1)
	copy(steps, h.steps)
	return &lazyHandler{inner: h.inner, steps: append(steps, s)}
}
