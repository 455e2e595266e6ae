package simulator

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"
)

// The files API (docs/simulator.md, "Files, images and streaming").
const (
	maxFileBytes = 100 << 20      // the largest upload Replicate takes
	fileLifetime = 24 * time.Hour // what expires_at says; files are kept until deleted
	filesPath    = "/files/"      // below the API base URL: urls.get is <base>/files/<id>
)

// storedFile is one uploaded file. It is immutable once stored, but for
// deleted, which Simulator.mu guards.
type storedFile struct {
	seq         int
	id, name    string
	contentType string
	data        []byte
	sha256, md5 string
	metadata    json.RawMessage
	created     time.Time
	get         string // urls.get
	deleted     bool
}

// fileStore is the simulator's uploaded files, guarded by Simulator.mu.
type fileStore struct {
	ids   *seededRand
	byID  map[string]*storedFile
	order []*storedFile // upload order, oldest first; deleted ones stay, marked
}

// wireFile is the file object, as replicate-go's File decodes it.
type wireFile struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	ContentType string            `json:"content_type"`
	Size        int               `json:"size"`
	Etag        string            `json:"etag"`
	Checksums   map[string]string `json:"checksums"`
	Metadata    json.RawMessage   `json:"metadata"`
	CreatedAt   string            `json:"created_at"`
	ExpiresAt   string            `json:"expires_at"`
	URLs        map[string]string `json:"urls"`
}

func (f *storedFile) wire() wireFile {
	return wireFile{
		ID: f.id, Name: f.name, ContentType: f.contentType, Size: len(f.data), Etag: f.md5,
		Checksums: map[string]string{"sha256": f.sha256}, Metadata: f.metadata,
		CreatedAt: stamp(f.created), ExpiresAt: stamp(f.created.Add(fileLifetime)),
		URLs: map[string]string{"get": f.get},
	}
}

// fileUpload is a parsed POST /v1/files.
type fileUpload struct {
	name, contentType string
	data              []byte
	metadata          json.RawMessage
	hasContent        bool
}

// parseUpload reads the multipart form the official clients send: the
// file as the part "content" (its filename and Content-Type kept) and
// "metadata", a JSON object, as a field (replicate-go) or a file part (the
// JavaScript client). The fields "filename" and "type" override the part's.
func parseUpload(w http.ResponseWriter, r *http.Request) (*fileUpload, *problem) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFileBytes+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, &problem{Title: titleBadRequest, Status: http.StatusBadRequest, Detail: "the body must be multipart/form-data: " + err.Error()}
	}
	up := &fileUpload{metadata: json.RawMessage("{}")}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, uploadError(err)
		}
		limit := int64(1 << 20)
		if part.FormName() == "content" {
			limit = maxFileBytes
		}
		b, err := io.ReadAll(io.LimitReader(part, limit+1))
		if err != nil {
			return nil, uploadError(err)
		}
		if int64(len(b)) > limit {
			return nil, tooLarge()
		}
		switch part.FormName() {
		case "content":
			up.hasContent, up.data, up.name, up.contentType = true, b, part.FileName(), part.Header.Get("Content-Type")
		case "filename":
			up.name = string(b)
		case "type":
			up.contentType = string(b)
		case "metadata":
			var obj map[string]any
			if json.Unmarshal(b, &obj) != nil || obj == nil {
				return nil, validationProblem([]invalidField{{"type", "metadata", "Invalid type. Expected: object"}})
			}
			up.metadata = b
		}
	}
	if !up.hasContent {
		return nil, validationProblem([]invalidField{{"required", "content", "content is required"}})
	}
	if up.name == "" {
		up.name = "file"
	}
	// The content type given is kept; none, or application/octet-stream,
	// is sniffed from the content.
	if mt, _, err := mime.ParseMediaType(up.contentType); err != nil || mt == "application/octet-stream" {
		up.contentType = http.DetectContentType(up.data)
	}
	return up, nil
}

func uploadError(err error) *problem {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge()
	}
	return &problem{Title: titleBadRequest, Status: http.StatusBadRequest, Detail: "reading the upload: " + err.Error()}
}

func tooLarge() *problem {
	return &problem{Title: "Request Entity Too Large", Status: http.StatusRequestEntityTooLarge,
		Detail: "a file may hold at most " + strconv.Itoa(maxFileBytes>>20) + " MiB"}
}

// handleCreateFile stores an upload and answers 201 with the file object.
func (s *Simulator) handleCreateFile(w http.ResponseWriter, r *http.Request) {
	up, prob := parseUpload(w, r)
	if prob != nil {
		writeProblem(w, prob)
		return
	}
	sum, md := sha256.Sum256(up.data), md5.Sum(up.data)
	f := &storedFile{name: up.name, contentType: up.contentType, data: up.data, metadata: up.metadata,
		sha256: hex.EncodeToString(sum[:]), md5: hex.EncodeToString(md[:]), created: s.now()}
	base := s.baseFor(r)
	s.mu.Lock()
	st := &s.files
	f.id = st.ids.alnum(26)
	for st.byID[f.id] != nil {
		f.id = st.ids.alnum(26)
	}
	f.seq, f.get = len(st.order), base+filesPath+f.id
	st.byID[f.id] = f
	st.order = append(st.order, f)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, f.wire())
}

// file returns a copy of the stored file id, or nil when it is unknown or
// deleted.
func (s *Simulator) file(id string) *storedFile {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.files.byID[id]; f != nil && !f.deleted {
		cp := *f
		return &cp
	}
	return nil
}

func (s *Simulator) handleGetFile(w http.ResponseWriter, r *http.Request) {
	f := s.file(r.PathValue("id"))
	if f == nil {
		writeProblem(w, notFound())
		return
	}
	writeJSON(w, http.StatusOK, f.wire())
}

// handleDownloadFile serves a file's content, with the token.
func (s *Simulator) handleDownloadFile(w http.ResponseWriter, r *http.Request) {
	f := s.file(r.PathValue("id"))
	if f == nil {
		writeProblem(w, notFound())
		return
	}
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
	w.Header().Set("ETag", strconv.Quote(f.md5))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.data)
}

// handleDeleteFile deletes a file: 204, then 404 for it everywhere.
func (s *Simulator) handleDeleteFile(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f := s.files.byID[r.PathValue("id")]
	found := f != nil && !f.deleted
	if found {
		f.deleted, f.data = true, nil
	}
	s.mu.Unlock()
	if !found {
		writeProblem(w, notFound())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
