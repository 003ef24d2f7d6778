// Package browser tests the telehealth viewer page (assets/viewer) in real
// headless Chromium driven over the DevTools protocol (chromedp): its
// crypto and codec against the Go side byte for byte, and a whole share —
// host, relay on 127.0.0.1, page — from knock to drawn trace, shown
// numerics and playing audio. It holds tests only.
//
// Chromium must be installed (Debian: apt-get install chromium); without
// it the tests fail, except under -short where they skip.
package browser
