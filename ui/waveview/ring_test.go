package waveview

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"
)

func seq(from, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(from + i)
	}
	return s
}

func TestRingRead(t *testing.T) {
	for _, tc := range []struct {
		name     string
		pushes   []int // batch sizes, values count up from 0
		since    uint64
		dstLen   int
		wantFrom uint64
		wantN    int
	}{
		{"all new", []int{5}, 0, 16, 0, 5},
		{"only new", []int{5, 3}, 5, 16, 5, 3},
		{"nothing new", []int{5}, 5, 16, 5, 0},
		{"wrapped", []int{6, 6}, 4, 16, 4, 8},
		{"overrun loses oldest", []int{10, 10}, 0, 16, 12, 8},
		{"batch bigger than ring", []int{30}, 0, 16, 22, 8},
		{"dst smaller: oldest first", []int{8}, 0, 3, 0, 3},
		{"since in the future", []int{2}, 9, 16, 9, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := NewRing(8)
			v := 0
			for _, n := range tc.pushes {
				r.Push(seq(v, n))
				v += n
			}
			if got := r.Count(); got != uint64(v) {
				t.Fatalf("Count = %d, want %d", got, v)
			}
			dst := make([]float32, tc.dstLen)
			from, n := r.Read(tc.since, dst)
			if from != tc.wantFrom || n != tc.wantN {
				t.Fatalf("Read(%d) = (%d, %d), want (%d, %d)", tc.since, from, n, tc.wantFrom, tc.wantN)
			}
			for i := 0; i < n; i++ {
				if dst[i] != float32(from)+float32(i) {
					t.Errorf("dst[%d] = %v, want sample %d", i, dst[i], int(from)+i)
				}
			}
		})
	}
}

func TestRingKeepsNaN(t *testing.T) {
	r := NewRing(4)
	r.Push([]float32{1, float32(math.NaN()), 3})
	dst := make([]float32, 4)
	_, n := r.Read(0, dst)
	if n != 3 || dst[0] != 1 || !math.IsNaN(float64(dst[1])) || dst[2] != 3 {
		t.Fatalf("read %v (n=%d), want [1 NaN 3]", dst[:n], n)
	}
}

// TestRingConcurrent pushes sample i = i from two writers in turn while a
// reader checks that every sample it gets is the one its index says: a torn
// or overwritten read would show up as a mismatch (and under -race as a race).
func TestRingConcurrent(t *testing.T) {
	r := NewRing(64)
	const total = 200_000
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var mu sync.Mutex // keeps the two writers' batches in order
	next := 0
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				mu.Lock()
				if next >= total {
					mu.Unlock()
					return
				}
				n := min(7, total-next)
				r.Push(seq(next, n))
				next += n
				mu.Unlock()
			}
		}()
	}
	dst := make([]float32, 16)
	var since uint64
	for since < total && ctx.Err() == nil {
		from, n := r.Read(since, dst)
		if from < since {
			t.Fatalf("Read(%d) went back to %d", since, from)
		}
		for i := 0; i < n; i++ {
			if want := float32(from + uint64(i)); dst[i] != want {
				t.Fatalf("sample %d = %v", from+uint64(i), dst[i])
			}
		}
		since = from + uint64(n)
	}
	wg.Wait()
	if since != total {
		t.Fatalf("reader stopped at %d of %d", since, total)
	}
}
