package fhir

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/hashicorp/go-retryablehttp"
)

// UploadBinary posts data as a raw Binary of contentType (the body is the
// bytes themselves, not base64 in JSON) and returns the new Binary's id.
// It is not idempotent: the caller keeps the id so that a resend does not
// upload again. Retries follow the Client's policy; the body is resent
// whole on each try.
func (c *Client) UploadBinary(ctx context.Context, contentType string, data []byte) (string, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + "/Binary"
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, u.String(), data)
	if err != nil {
		return "", fmt.Errorf("upload binary: %w", err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", contentTypeFHIR)
	resp, err := c.http.Do(req)
	if err != nil {
		if resp != nil {
			_ = resp.Body.Close()
		}
		return "", fmt.Errorf("upload binary: %w", scrub(http.MethodPost, &u, err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return "", fmt.Errorf("upload binary: read reply: %w", scrubErr(err))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return "", fmt.Errorf("upload binary of %d bytes: %w", len(data), &StatusError{Code: resp.StatusCode, Outcome: outcomeText(body)})
	}
	id, err := binaryID(body, resp.Header.Get("Location"))
	if err != nil {
		return "", fmt.Errorf("upload binary: %w", err)
	}
	return id, nil
}

// binaryID reads the new Binary's id from the reply body, or from the
// Location header when the body is empty (Prefer: return=minimal).
func binaryID(body []byte, location string) (string, error) {
	if len(bytes.TrimSpace(body)) > 0 {
		var r struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		if err := json.Unmarshal(body, &r); err == nil && r.ResourceType == "Binary" && validID(r.ID) {
			return r.ID, nil
		}
	}
	// ".../Binary/<id>/_history/<vid>" or "Binary/<id>"
	parts := strings.Split(strings.Trim(location, "/"), "/")
	for i := len(parts) - 2; i >= 0; i-- {
		if parts[i] == "Binary" && validID(parts[i+1]) {
			return parts[i+1], nil
		}
	}
	return "", fmt.Errorf("the reply names no Binary id")
}

// validID accepts an R4 id: 1 to 64 of [A-Za-z0-9-.].
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}

// capabilities is what the workstation reads of a CapabilityStatement.
type capabilities struct {
	ResourceType string `json:"resourceType"`
	Rest         []struct {
		Mode     string `json:"mode"`
		Resource []struct {
			Type string `json:"type"`
		} `json:"resource"`
	} `json:"rest"`
}

// SupportsResource reports whether the server's CapabilityStatement lists
// resourceType in its server REST mode. The Sender caches the answer.
func (c *Client) SupportsResource(ctx context.Context, resourceType string) (bool, error) {
	var cs capabilities
	if err := c.do(ctx, http.MethodGet, "metadata", nil, nil, &cs); err != nil {
		return false, fmt.Errorf("fhir metadata: %w", err)
	}
	if cs.ResourceType != "CapabilityStatement" {
		return false, fmt.Errorf("fhir metadata: got %q, want a CapabilityStatement", cs.ResourceType)
	}
	for _, r := range cs.Rest {
		if r.Mode != "" && r.Mode != "server" {
			continue
		}
		for _, res := range r.Resource {
			if res.Type == resourceType {
				return true, nil
			}
		}
	}
	return false, nil
}
