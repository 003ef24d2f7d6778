package relay

import (
	"io/fs"
	"net/http"
	"path"
)

// servePage is /v/<sid>: the browser viewer's index.html. The key is in
// the link's fragment, which the browser never sends.
func (r *Relay) servePage(w http.ResponseWriter, req *http.Request) {
	if r.cfg.ViewerPage == nil || !validSID(req.PathValue("sid")) {
		http.NotFound(w, req)
		return
	}
	r.serveFile(w, req, "index.html")
}

// serveAsset is /v/assets/<file>: <file> from the top of ViewerPage, or
// from its assets/ folder.
func (r *Relay) serveAsset(w http.ResponseWriter, req *http.Request) {
	name := req.PathValue("file")
	if r.cfg.ViewerPage == nil || !fs.ValidPath(name) || path.Clean(name) != name {
		http.NotFound(w, req)
		return
	}
	if _, err := fs.Stat(r.cfg.ViewerPage, name); err != nil {
		name = path.Join("assets", name)
	}
	r.serveFile(w, req, name)
}

func (r *Relay) serveFile(w http.ResponseWriter, req *http.Request, name string) {
	st, err := fs.Stat(r.cfg.ViewerPage, name)
	if err != nil || st.IsDir() {
		http.NotFound(w, req)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeFileFS(w, req, r.cfg.ViewerPage, name)
}
