package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"net"
	"net/http"
	"time"

	"telewave/assets"
	"telewave/sync/live/relay"
)

// UsageRelay is the `telewave relay` line of the usage text.
const UsageRelay = "relay --listen ADDR [--tls-cert F --tls-key F] [--max-sessions N] [--max-per-addr N]"

// relayPage is the browser viewer the relay serves at /v/<sid>.
var relayPage fs.FS = assets.Viewer

// RunRelay is `telewave relay`: the telehealth forwarder on ADDR (TLS when
// given a certificate and key) until SIGINT/SIGTERM. Its first line on
// stdout is the base URL it serves; connection events, never payloads, go
// to stderr.
func RunRelay(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("relay", flag.ContinueOnError)
	listen := fs.String("listen", "", "address to listen on, e.g. :8443")
	certFile := fs.String("tls-cert", "", "TLS certificate chain (PEM)")
	keyFile := fs.String("tls-key", "", "TLS private key (PEM)")
	maxSessions := fs.Int("max-sessions", relay.DefaultMaxSessions, "shares at once")
	maxPerAddr := fs.Int("max-per-addr", relay.DefaultMaxConnsPerAddr, "connections from one address at once")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) != 0:
		return usagef("relay takes no arguments, got %q", pos)
	case *listen == "":
		return usagef("--listen ADDR is required")
	case (*certFile == "") != (*keyFile == ""):
		return usagef("--tls-cert and --tls-key go together")
	case *maxSessions < 1 || *maxPerAddr < 1:
		return usagef("--max-sessions and --max-per-addr: want at least 1")
	}
	var tlsConfig *tls.Config
	if *certFile != "" {
		cert, err := tls.LoadX509KeyPair(*certFile, *keyFile)
		if err != nil {
			return fmt.Errorf("load TLS key pair: %w", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}

	logger := log.New(env.Stderr, "", log.LstdFlags)
	r := relay.New(relay.Config{
		MaxSessions:     *maxSessions,
		MaxConnsPerAddr: *maxPerAddr,
		ViewerPage:      relayPage,
		Logf:            logger.Printf,
	})
	defer r.Close()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *listen, err)
	}
	scheme := "http"
	if tlsConfig != nil {
		ln = tls.NewListener(ln, tlsConfig)
		scheme = "https"
	}
	srv := &http.Server{
		Handler:           r,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          logger,
	}
	if _, err := fmt.Fprintf(env.Stdout, "%s://%s\n", scheme, ln.Addr()); err != nil {
		ln.Close()
		return err
	}

	ctx, stop := untilStopped(ctx, 0)
	defer stop()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err = <-served:
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	// Shutdown stops new requests and waits for plain ones; the WebSocket
	// connections, hijacked from the server, are the relay's to close.
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = srv.Shutdown(shutCtx)
	r.Close()
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if err != nil {
		return fmt.Errorf("stop relay: %w", err)
	}
	return nil
}
