package wfdb

// Annotation codes of WFDB's <wfdb/ecgcodes.h>, as written in MIT-format
// annotation files. Codes 15 and 17 are unassigned, 42–48 are left to
// users, and 49 (ACMAX) is the largest code the MIT format can carry.
const (
	CodeNotQRS   = 0  // not-QRS (used for arbitrary marks)
	CodeNormal   = 1  // N  normal beat
	CodeLBBB     = 2  // L  left bundle branch block beat
	CodeRBBB     = 3  // R  right bundle branch block beat
	CodeAberr    = 4  // a  aberrated atrial premature beat
	CodePVC      = 5  // V  premature ventricular contraction
	CodeFusion   = 6  // F  fusion of ventricular and normal beat
	CodeNPC      = 7  // J  nodal (junctional) premature beat
	CodeAPC      = 8  // A  atrial premature beat
	CodeSVPB     = 9  // S  supraventricular premature or ectopic beat
	CodeVEsc     = 10 // E  ventricular escape beat
	CodeNEsc     = 11 // j  nodal (junctional) escape beat
	CodePace     = 12 // /  paced beat
	CodeUnknown  = 13 // Q  unclassifiable beat
	CodeNoise    = 14 // ~  signal quality change (noise)
	CodeArtifact = 16 // |  isolated QRS-like artifact
	CodeSTCh     = 18 // s  ST change
	CodeTCh      = 19 // T  T-wave change
	CodeSystole  = 20 // *  systole
	CodeDiastole = 21 // D  diastole
	CodeNote     = 22 // "  comment annotation (text in Aux)
	CodeMeasure  = 23 // =  measurement annotation
	CodePWave    = 24 // p  P-wave peak
	CodeBBB      = 25 // B  bundle branch block beat (unspecified)
	CodePaceSP   = 26 // ^  non-conducted pacer spike
	CodeTWave    = 27 // t  T-wave peak
	CodeRhythm   = 28 // +  rhythm change (the rhythm in Aux, e.g. "(N", "(VFL")
	CodeUWave    = 29 // u  U-wave peak
	CodeLearn    = 30 // ?  learning
	CodeFlutter  = 31 // !  ventricular flutter wave
	CodeVFOn     = 32 // [  start of ventricular flutter/fibrillation
	CodeVFOff    = 33 // ]  end of ventricular flutter/fibrillation
	CodeAEsc     = 34 // e  atrial escape beat
	CodeSVEsc    = 35 // n  supraventricular escape beat
	CodeLink     = 36 // @  link to external data (URL in Aux)
	CodeNAPC     = 37 // x  non-conducted P wave (blocked APC)
	CodePFus     = 38 // f  fusion of paced and normal beat
	CodeWFOn     = 39 // (  waveform onset (also PQ junction)
	CodeWFOff    = 40 // )  waveform end (also J point)
	CodeRonT     = 41 // r  R-on-T premature ventricular contraction
	CodeMax      = 49 // ACMAX: the largest code an MIT-format file can hold
)

// mnemonics are the one-character names WFDB's annotation tools print.
var mnemonics = [CodeMax + 1]string{
	0: "", 1: "N", 2: "L", 3: "R", 4: "a", 5: "V", 6: "F", 7: "J", 8: "A", 9: "S",
	10: "E", 11: "j", 12: "/", 13: "Q", 14: "~", 16: "|", 18: "s", 19: "T",
	20: "*", 21: "D", 22: `"`, 23: "=", 24: "p", 25: "B", 26: "^", 27: "t", 28: "+",
	29: "u", 30: "?", 31: "!", 32: "[", 33: "]", 34: "e", 35: "n", 36: "@", 37: "x",
	38: "f", 39: "(", 40: ")", 41: "r",
}

// Mnemonic returns the code's one-character name ("N", "V", "+"), or ""
// for codes without one.
func Mnemonic(code int) string {
	if code < 0 || code > CodeMax {
		return ""
	}
	return mnemonics[code]
}

// IsBeat reports whether code labels a QRS complex, as WFDB's isqrs()
// does: N L R a V F J A S E j / Q B ? e n f r. Flutter waves (!), blocked
// P waves (x), pacer spikes without capture (^) and artifacts (|) are not
// beats.
func IsBeat(code int) bool {
	switch {
	case code >= CodeNormal && code <= CodeUnknown:
		return true
	}
	switch code {
	case CodeBBB, CodeLearn, CodeAEsc, CodeSVEsc, CodePFus, CodeRonT:
		return true
	}
	return false
}
