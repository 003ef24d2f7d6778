// Command displaybench measures the live waveform display the way a
// clinician's screen runs it: a real Fyne window (GLFW driver, under Xvfb
// with Mesa in `make bench`), twelve ECG leads at 500 samples/s arriving as
// ADS1298 frames through the real decoder, drawn by the chosen rasterizer.
//
// It prints one line per run: frames per second shown, CPU of the whole
// process (user+system over wall time, 1.0 = one core), mean drawing time
// per frame, and byte-to-pixel latency p50/p99 — from the moment a frame's
// bytes are written to the link to the moment the picture holding its
// sample is handed to Fyne's painter. With --empty it shows an empty raster
// repainted at the same rate instead: the floor that Fyne's own full-window
// repaint costs.
//
//	go run ./test/displaybench --render cpu --fps 30 --seconds 20
package main

import (
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
)

type config struct {
	render  string
	fps     int
	seconds float64
	warmup  float64
	empty   bool
	width   int
	height  int
}

func main() {
	var c config
	flag.StringVar(&c.render, "render", "cpu", "rasterizer: cpu or gl")
	flag.IntVar(&c.fps, "fps", 30, "frames per second asked of the display")
	flag.Float64Var(&c.seconds, "seconds", 20, "measured time after the warm-up")
	flag.Float64Var(&c.warmup, "warmup", 3, "seconds before measuring")
	flag.BoolVar(&c.empty, "empty", false, "floor: an empty raster repainted at --fps")
	flag.IntVar(&c.width, "width", 1200, "window width")
	flag.IntVar(&c.height, "height", 900, "window height")
	list := flag.Bool("list", false, "print the rasterizers this build has and exit")
	flag.Parse()
	if *list {
		fmt.Println(strings.Join(backends(), " "))
		return
	}
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "displaybench:", err)
		os.Exit(1)
	}
}

// result is what one run measured.
type result struct {
	fps, cpu   float64
	drawMs     float64
	p50, p99   time.Duration
	dropped    uint64
	latencyN   int
	rendererID string
}

func run(c config) error {
	a := fyneapp.NewWithID("org.telewave.displaybench")
	w := a.NewWindow("Telewave display bench")
	w.SetPadded(false)
	w.Resize(fyne.NewSize(float32(c.width), float32(c.height)))

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var res result
	var runErr error
	var measure func() (result, error)
	if c.empty {
		measure = startEmpty(ctx, &wg, w, c)
	} else {
		m, err := startWaves(ctx, &wg, w, c)
		if err != nil {
			cancel()
			return err
		}
		measure = m
	}
	go func() {
		res, runErr = measure()
		fyne.Do(a.Quit)
	}()
	w.ShowAndRun()
	cancel()
	wg.Wait()
	if runErr != nil {
		return runErr
	}
	mode := c.render
	if c.empty {
		mode = "empty"
	}
	fmt.Printf("display %-5s %dx%d fps-asked %d: %.1f fps shown, CPU %.0f %% of a core, draw %.3f ms/frame, latency p50 %.1f ms p99 %.1f ms (%d samples), dropped %d%s\n",
		mode, c.width, c.height, c.fps, res.fps, res.cpu*100, res.drawMs,
		ms(res.p50), ms(res.p99), res.latencyN, res.dropped, res.rendererID)
	return nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// cpuTime is the process's user+system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// startEmpty shows one raster that is refreshed fps times a second and
// draws nothing: the cost of Fyne's repaint alone.
func startEmpty(ctx context.Context, wg *sync.WaitGroup, w fyne.Window, c config) func() (result, error) {
	img := image.NewRGBA(image.Rect(0, 0, 1, 1))
	img.SetRGBA(0, 0, color.RGBA{A: 255})
	r := canvas.NewRaster(func(int, int) image.Image { return img })
	w.SetContent(r)
	var shown uint64
	var mu sync.Mutex
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second / time.Duration(c.fps))
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				fyne.Do(func() {
					r.Refresh()
					mu.Lock()
					shown++
					mu.Unlock()
				})
			}
		}
	}()
	return func() (result, error) {
		time.Sleep(time.Duration(c.warmup * float64(time.Second)))
		mu.Lock()
		s0 := shown
		mu.Unlock()
		c0, t0 := cpuTime(), time.Now()
		time.Sleep(time.Duration(c.seconds * float64(time.Second)))
		mu.Lock()
		s1 := shown
		mu.Unlock()
		wall := time.Since(t0)
		return result{fps: float64(s1-s0) / wall.Seconds(), cpu: float64(cpuTime()-c0) / float64(wall)}, nil
	}
}
