// Package filter holds the ECG and pleth display filters: baseline-wander
// high-pass, mains notch (50 or 60 Hz) and muscle-noise low-pass, built
// from second-order IIR sections.
//
// Live display uses the causal Chain (streaming state, one per signal):
// it delays and phase-shifts the signal a little, which is acceptable on a
// monitor. Review and reports use ZeroPhase, the same sections run forward
// and backward: no delay, no phase distortion of the ST segment, at the
// price of needing the whole record.
package filter
