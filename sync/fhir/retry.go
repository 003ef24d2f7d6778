package fhir

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// checkRetry retries 408, 429, 5xx and connection errors and nothing else.
// Certificate errors, our own refusals (plain http off the machine) and
// token refusals are not connection trouble: retrying cannot fix them.
// With SMART, a 401 drops the cached token and retries once.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err == nil && resp.StatusCode == http.StatusUnauthorized && c.smart != nil {
		if st, ok := ctx.Value(authRetryKey{}).(*authRetry); ok && !st.used {
			st.used = true
			c.smart.invalidate(bearerOf(resp.Request))
			return true, nil
		}
		return false, nil
	}
	if err != nil && isAuthRefusal(err) {
		return false, nil
	}
	return checkRetry(ctx, resp, err)
}

// checkRetry is the retry rule without auth: see Client.checkRetry.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if err != nil {
		var unknownCA x509.UnknownAuthorityError
		var hostname x509.HostnameError
		var invalid x509.CertificateInvalidError
		var verify *tls.CertificateVerificationError
		var refused *TransportError
		if errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
			errors.As(err, &verify) || errors.As(err, &refused) {
			return false, nil
		}
		return true, nil
	}
	return retryableStatus(resp.StatusCode), nil
}

func retryableStatus(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500 || code == 0
}

// backoff waits a jittered exponential time between tries, or what the
// server's Retry-After asks for, capped at maxRetryAfter.
func (c *Client) backoff(waitMin, waitMax time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && resp.StatusCode == http.StatusUnauthorized {
		return 0 // a new token, not time, is the cure
	}
	if resp != nil {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), c.now()); ok {
			return min(d, c.maxRetryAfter)
		}
	}
	return jitter(waitMin, waitMax, attempt)
}

// jitter returns a wait in [d/2, d] where d = waitMin·2^attempt capped at
// waitMax: spreading clients that failed together so they do not return
// together.
func jitter(waitMin, waitMax time.Duration, attempt int) time.Duration {
	if waitMin <= 0 {
		return 0
	}
	d := waitMax
	if attempt < 32 {
		if e := waitMin << attempt; e > 0 && e < waitMax {
			d = e
		}
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(d-half)+1))
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date.
// A date in the past means "now".
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(24*time.Hour/time.Second) {
			secs = int64(24 * time.Hour / time.Second) // clamped again by the caller
		}
		return time.Duration(secs) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if d := t.Sub(now); d > 0 {
		return d, true
	}
	return 0, true
}
