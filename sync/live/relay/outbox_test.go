package relay

import (
	"slices"
	"testing"
)

func TestOutboxDropRule(t *testing.T) {
	const w, a, s = ClassWave, ClassAudio, ClassState
	tests := []struct {
		name      string
		limit     int
		dropWaves bool
		push      []byte // classes, in order; item i carries msg {i}
		want      []int  // items left, oldest first
		results   []pushResult
	}{
		{"room for all", 3, true, []byte{w, a, s}, []int{0, 1, 2}, []pushResult{pushed, pushed, pushed}},
		{"oldest wave goes, never the newest", 3, true, []byte{a, w, w, w}, []int{0, 2, 3}, []pushResult{pushed, pushed, pushed, pushedDrop}},
		{"audio makes room by a wave", 3, true, []byte{w, s, w, a}, []int{1, 2, 3}, []pushResult{pushed, pushed, pushed, pushedDrop}},
		{"full of audio and state refuses", 2, true, []byte{a, s, w}, []int{0, 1}, []pushResult{pushed, pushed, pushFull}},
		{"host queue never drops", 2, false, []byte{w, w, w}, []int{0, 1}, []pushResult{pushed, pushed, pushFull}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := newOutbox(tc.limit, tc.dropWaves)
			for i, class := range tc.push {
				if got := o.push(outItem{msg: []byte{byte(i)}, class: class}); got != tc.results[i] {
					t.Errorf("push %d: %v, want %v", i, got, tc.results[i])
				}
			}
			var left []int
			for {
				it, ok, closing := o.next()
				if closing {
					t.Fatal("closing without close")
				}
				if !ok {
					break
				}
				left = append(left, int(it.msg[0]))
			}
			if !slices.Equal(left, tc.want) {
				t.Errorf("left %v, want %v", left, tc.want)
			}
		})
	}
}

func TestOutboxCloseGoesFirst(t *testing.T) {
	o := newOutbox(4, true)
	o.push(outItem{msg: []byte{1}, class: ClassAudio})
	if !o.close(CloseRemoved, "removed") || o.close(CloseShareEnded, "later") {
		t.Fatal("the first close must win, once")
	}
	if _, ok, closing := o.next(); ok || !closing {
		t.Fatalf("next after close: ok %v closing %v", ok, closing)
	}
	if code, _ := o.closeStatus(); code != CloseRemoved {
		t.Fatalf("code %d", code)
	}
	if o.push(outItem{class: ClassAudio}) != pushClosing || o.len() != 0 {
		t.Fatal("push after close was queued")
	}
}

func BenchmarkOutbox(b *testing.B) {
	o := newOutbox(DefaultQueueFrames, true)
	it := outItem{msg: make([]byte, 110), class: ClassWave, size: 109}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		o.push(it)
		if i%2 == 0 { // a viewer at half speed: the queue stays full
			o.next()
		}
	}
}

func BenchmarkParseEnvelope(b *testing.B) {
	msg := AppendEnvelope(nil, OpUnicast, 3, testFrame(ClassWave, make([]byte, 80)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := ParseEnvelope(msg); err != nil {
			b.Fatal(err)
		}
	}
}
