package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"telewave/assets"
)

// chromium is the browser every test in the package shares: started on
// first use, stopped by TestMain.
var chromium struct {
	once   sync.Once
	ctx    context.Context
	stop   func()
	err    error
	output strings.Builder
	mu     sync.Mutex
}

func TestMain(m *testing.M) {
	code := m.Run()
	if chromium.stop != nil {
		chromium.stop()
	}
	os.Exit(code)
}

// findChromium returns the browser's path, or "" when none is installed.
func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

type lockedWriter struct{}

func (lockedWriter) Write(p []byte) (int, error) {
	chromium.mu.Lock()
	defer chromium.mu.Unlock()
	if chromium.output.Len() < 64<<10 {
		chromium.output.Write(p)
	}
	return len(p), nil
}

// browser returns the shared headless Chromium. It fails the test when
// Chromium is missing (skips under -short).
func browser(tb testing.TB) context.Context {
	tb.Helper()
	if testing.Short() {
		tb.Skip("browser tests need Chromium; skipped under -short")
	}
	chromium.once.Do(func() {
		path := findChromium()
		if path == "" {
			chromium.err = fmt.Errorf("chromium is not installed: run scripts/ensure-deps.sh (apt-get install -y chromium), or go test -short to skip the browser tests")
			return
		}
		opts := []chromedp.ExecAllocatorOption{
			chromedp.ExecPath(path),
			chromedp.NoFirstRun,
			chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("headless", "new"),
			chromedp.Flag("hide-scrollbars", true),
			chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
			chromedp.Flag("disable-background-timer-throttling", true),
			chromedp.Flag("disable-backgrounding-occluded-windows", true),
			chromedp.Flag("disable-renderer-backgrounding", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("disable-extensions", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("force-device-scale-factor", "1"),
			chromedp.WindowSize(1280, 900),
			chromedp.CombinedOutput(lockedWriter{}),
		}
		if os.Geteuid() == 0 {
			opts = append(opts, chromedp.NoSandbox) // Chromium refuses to run its sandbox as root
		}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancel := chromedp.NewContext(alloc)
		if err := chromedp.Do(ctx); err != nil {
			cancel()
			cancelAlloc()
			chromium.err = fmt.Errorf("start chromium %s: %w (output: %s)", path, err, chromeOutput())
			return
		}
		chromium.ctx = ctx
		chromium.stop = func() { cancel(); cancelAlloc() }
	})
	if chromium.err != nil {
		tb.Fatal(chromium.err)
	}
	return chromium.ctx
}

func chromeOutput() string {
	chromium.mu.Lock()
	defer chromium.mu.Unlock()
	return chromium.output.String()
}

// newTab opens a tab of the shared browser, closed when the test ends.
func newTab(tb testing.TB) context.Context {
	tb.Helper()
	ctx, cancel := chromedp.NewContext(browser(tb))
	tb.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("open tab: %v", err)
	}
	return ctx
}

// modulePage serves the viewer's modules at /m/ beside an empty page at /,
// so a test can import them without starting the viewer.
func modulePage(tb testing.TB) string {
	tb.Helper()
	srv := httptest.NewServer(moduleMux())
	tb.Cleanup(srv.Close)
	return srv.URL
}

func moduleMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/m/", http.StripPrefix("/m/", http.FileServer(http.FS(assets.Viewer))))
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><meta charset="utf-8"><title>modules</title><canvas id="waves"></canvas>`)
	})
	return mux
}

// moduleTab is a tab on modulePage, ready for importModules.
func moduleTab(tb testing.TB) context.Context {
	tb.Helper()
	ctx := newTab(tb)
	if err := chromedp.Do(ctx, chromedp.Navigate(modulePage(tb)+"/")); err != nil {
		tb.Fatalf("open module page: %v", err)
	}
	return ctx
}

// eval runs a JavaScript expression (a promise is awaited) and decodes
// its JSON result into T, within a deadline.
func eval[T any](tb testing.TB, ctx context.Context, expr string) T {
	tb.Helper()
	v, err := evalErr[T](ctx, expr, 60*time.Second)
	if err != nil {
		tb.Fatalf("evaluate %.120s…: %v", expr, err)
	}
	return v
}

func evalErr[T any](ctx context.Context, expr string, d time.Duration) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// jsArg writes v as a JavaScript literal (JSON) for an expression.
func jsArg(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatalf("encode argument: %v", err)
	}
	return string(b)
}

// fuzz keeps one module tab per fuzz worker process: a tab per input would
// make each run cost a page load.
var fuzz struct {
	once sync.Once
	ctx  context.Context
}

func fuzzTab(tb testing.TB) context.Context {
	tb.Helper()
	fuzz.once.Do(func() {
		ctx, _ := chromedp.NewContext(browser(tb)) // lives as long as the browser
		srv := httptest.NewServer(moduleMux())
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
			tb.Fatalf("open module page: %v", err)
		}
		fuzz.ctx = ctx
	})
	if fuzz.ctx == nil {
		tb.Fatal("no fuzz tab")
	}
	return fuzz.ctx
}
