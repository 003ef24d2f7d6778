package app

import (
	"testing"

	"telewave/devices"
)

func TestHubNeverBlocksAndCountsDrops(t *testing.T) {
	var h Hub
	slow := h.Subscribe("display", 2)
	fast := h.Subscribe("recorder", 100)
	for i := 0; i < 10; i++ {
		h.Publish(Envelope{Device: "ecg", Msg: &devices.Chunk{Seq: uint64(i)}})
	}
	if got := slow.Dropped(); got != 8 {
		t.Errorf("slow subscriber dropped %d, want 8", got)
	}
	if got := fast.Dropped(); got != 0 || len(fast.C) != 10 {
		t.Errorf("fast subscriber dropped %d, holds %d", got, len(fast.C))
	}
	slow.Close()
	h.Publish(Envelope{Device: "ecg", Msg: &devices.Chunk{}})
	if len(slow.C) != 2 || slow.Dropped() != 8 {
		t.Error("a closed subscription still receives")
	}
}
