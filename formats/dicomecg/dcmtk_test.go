package dicomecg

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"telewave/formats/ecg12"
)

// dcmdump runs dcmtk's dcmdump (an independent DICOM reader) on a file and
// returns its dump; it skips when dcmtk is not installed.
func dcmdump(t *testing.T, path string) string {
	t.Helper()
	bin, err := exec.LookPath("dcmdump")
	if err != nil {
		t.Skipf("SKIPPED: dcmdump not installed (make test installs dcmtk)")
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, "+L", "+U8", path)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("dcmdump %s: %v\n%s", path, err, stderr.String())
	}
	if s := strings.TrimSpace(stderr.String()); s != "" {
		t.Errorf("dcmdump complains about %s:\n%s", path, s)
	}
	return stdout.String()
}

// dumpValues returns, for each element with the tag, in order, what dcmdump
// shows after the VR: "[500]", "12", "=TwelveLeadECGWaveformStorage",
// "0050\005a…".
func dumpValues(dump, tag string) []string {
	re := regexp.MustCompile(`(?m)^\s*\(` + regexp.QuoteMeta(strings.ToLower(tag)) + `\) [A-Z]{2} (\S+)`)
	var out []string
	for _, m := range re.FindAllStringSubmatch(dump, -1) {
		out = append(out, m[1])
	}
	return out
}

// The files Encode writes, read back by dcmtk: SOP class, channel and
// sample counts, sampling frequency and the first interleaved samples of
// Waveform Data, in each of the encodings the writer can produce.
func TestDcmdumpReadsOurFiles(t *testing.T) {
	tests := []struct {
		name string
		rec  *ecg12.Record
		w    writer
		sop  string
	}{
		{"12-lead explicit", withMedian(synthetic(twelve, 500, 10, 4.88, 0), 600), writer{}, "=TwelveLeadECGWaveformStorage"},
		{"12-lead implicit undefined", synthetic(twelve, 1000, 10, 2.5, 11), writer{implicit: true, undefined: true}, "=TwelveLeadECGWaveformStorage"},
		{"general 3 leads", synthetic([]string{"I", "II", "Resp"}, 250, 30, 1, 0), writer{}, "=GeneralECGWaveformStorage"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := encode(tc.rec, tc.w)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "ecg.dcm")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			dump := dcmdump(t, path)
			if got := dumpValues(dump, "0008,0016"); len(got) != 1 || got[0] != tc.sop {
				t.Errorf("SOP class %q, want %s", got, tc.sop)
			}
			nc, ns := strconv.Itoa(len(tc.rec.Leads)), strconv.Itoa(len(tc.rec.Leads[0].Samples))
			rate := "[" + strconv.FormatFloat(tc.rec.SampleRate, 'g', -1, 64) + "]"
			if got := dumpValues(dump, "003a,0005"); len(got) < 1 || got[0] != nc {
				t.Errorf("channels %q, want %s", got, nc)
			}
			if got := dumpValues(dump, "003a,0010"); len(got) < 1 || got[0] != ns {
				t.Errorf("samples %q, want %s", got, ns)
			}
			if got := dumpValues(dump, "003a,001a"); len(got) < 1 || got[0] != rate {
				t.Errorf("sampling frequency %q, want %s", got, rate)
			}
			if got := dumpValues(dump, "003a,0210"); len(got) < 1 || got[0] != "["+formatDS(tc.rec.Leads[0].Scale)+"]" {
				t.Errorf("sensitivity %q", got)
			}
			wave := dumpValues(dump, "5400,1010")
			if len(wave) < 1 {
				t.Fatal("no Waveform Data in the dump")
			}
			words := strings.Split(wave[0], `\`)
			if len(words) != len(tc.rec.Leads)*len(tc.rec.Leads[0].Samples) {
				t.Fatalf("dcmdump shows %d words of Waveform Data", len(words))
			}
			for k := range 3 {
				for ch, l := range tc.rec.Leads {
					w, err := strconv.ParseUint(words[k*len(tc.rec.Leads)+ch], 16, 16)
					if err != nil || int16(w) != int16(l.Samples[k]) {
						t.Fatalf("sample %d of %s: dcmdump %q, want %d", k, l.Label, words[k*len(tc.rec.Leads)+ch], l.Samples[k])
					}
				}
			}
			if n := len(dumpValues(dump, "0070,0006")); n != len(tc.rec.Statements) {
				t.Errorf("%d statements in the dump, want %d", n, len(tc.rec.Statements))
			}
		})
	}
}

// The Mortara file as dcmdump reads it agrees with Decode: groups,
// channels, samples, frequencies, statements and numeric measurements.
func TestDcmdumpAgreesOnMortara(t *testing.T) {
	path := sharedData(t, mortaraFile)
	dump := dcmdump(t, path)
	rec, err := Decode(readShared(t, mortaraFile))
	if err != nil {
		t.Fatal(err)
	}
	chans, samples, rates := dumpValues(dump, "003a,0005"), dumpValues(dump, "003a,0010"), dumpValues(dump, "003a,001a")
	want := [][3]string{
		{strconv.Itoa(len(rec.Leads)), strconv.Itoa(len(rec.Leads[0].Samples)), "[" + strconv.FormatFloat(rec.SampleRate, 'g', -1, 64) + "]"},
		{strconv.Itoa(len(rec.Median)), strconv.Itoa(len(rec.Median[0].Samples)), "[" + strconv.FormatFloat(rec.MedianRate, 'g', -1, 64) + "]"},
	}
	if len(chans) != 2 || len(samples) != 2 || len(rates) != 2 {
		t.Fatalf("dcmdump shows groups %q %q %q", chans, samples, rates)
	}
	for g, w := range want {
		if chans[g] != w[0] || samples[g] != w[1] || rates[g] != w[2] {
			t.Errorf("group %d: dcmdump %s × %s at %s, Decode %v", g+1, chans[g], samples[g], rates[g], w)
		}
	}
	text := dumpValues(dump, "0070,0006")
	if len(text) != len(rec.Statements) {
		t.Errorf("dcmdump shows %d statements, Decode %d", len(text), len(rec.Statements))
	}
	nums := dumpValues(dump, "0040,a30a")
	if len(nums) != len(rec.Measurements) {
		t.Fatalf("dcmdump shows %d numeric values, Decode %d measurements", len(nums), len(rec.Measurements))
	}
	for i, n := range nums {
		if v, err := strconv.ParseFloat(strings.Trim(n, "[]"), 64); err != nil || v != rec.Measurements[i].Value {
			t.Errorf("numeric value %d: dcmdump %s, Decode %v", i, n, rec.Measurements[i].Value)
		}
	}
	wave := strings.Split(dumpValues(dump, "5400,1010")[0], `\`)
	for ch, l := range rec.Leads {
		w, _ := strconv.ParseUint(wave[ch], 16, 16)
		if int32(int16(w)) != l.Samples[0] {
			t.Errorf("%s[0]: dcmdump %s, Decode %d", l.Label, wave[ch], l.Samples[0])
		}
	}
}

// dciodvfy (dicom3tools, a second independent toolkit) checks the files we
// write against the 12-Lead and General ECG IODs: every mandatory module
// and attribute, value representations and code sequence macros. Warnings
// are allowed (our private coding scheme for leads and measurements no
// standard code names); errors are not.
func TestDciodvfyValidatesOurFiles(t *testing.T) {
	bin, err := exec.LookPath("dciodvfy")
	if err != nil {
		t.Skipf("SKIPPED: dciodvfy not installed (Debian package dicom3tools)")
	}
	tests := []struct {
		name, iod string
		rec       *ecg12.Record
	}{
		{"12-lead with median", "TwelveLeadECG", withMedian(synthetic(twelve, 500, 10, 4.88, 0), 600)},
		{"general, odd leads", "GeneralECG", synthetic([]string{"I", "II", "V4R", "Resp"}, 250, 30, 2.5, 10)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := Encode(tc.rec)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "ecg.dcm")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			out, _ := exec.Command(bin, path).CombinedOutput()
			s := string(out)
			if !strings.Contains(s, tc.iod) {
				t.Errorf("dciodvfy did not take the file for %s:\n%s", tc.iod, s)
			}
			for _, line := range strings.Split(s, "\n") {
				if strings.Contains(line, "Error") {
					t.Errorf("dciodvfy: %s", line)
				}
			}
		})
	}
}
