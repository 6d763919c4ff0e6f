package discordtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
)

// Discord's upload limits for a bot's message (a server without boosts).
const (
	maxFiles     = 10
	maxFileBytes = 10 << 20 // all files of one message together
)

// Attachment is a file a message carries.
type Attachment struct {
	ID       string `json:"id"`
	Filename string `json:"filename"`
	Size     int    `json:"size"`
	URL      string `json:"url"`
}

// unpackMultipart reads a multipart/form-data body, as discordgo sends a
// message with files: the message JSON in payload_json, each file in a
// files[n] part. The files go to the fake CDN and the returned JSON lists
// them as the message's attachments. ok is false for other bodies; a body
// Discord would refuse comes back as status and error.
func (s *Server) unpackMultipart(r *http.Request, body []byte) (payload json.RawMessage, ok bool, status int, e any) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, false, 0, nil
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	var data map[string]any
	var atts []any
	total := 0
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, true, 400, errBody(50109, "The request body contains invalid multipart data.")
		}
		b, _ := io.ReadAll(p)
		switch name := p.FormName(); {
		case name == "payload_json":
			if err := json.Unmarshal(b, &data); err != nil {
				return nil, true, 400, errBody(50109, "The request body contains invalid JSON.")
			}
		case strings.HasPrefix(name, "files["):
			total += len(b)
			id := s.NewID()
			atts = append(atts, Attachment{ID: id, Filename: p.FileName(), Size: len(b), URL: s.AddFile(id+"/"+p.FileName(), b)})
		}
	}
	if len(atts) > maxFiles {
		return nil, true, 400, errBody(50035, fmt.Sprintf("Invalid Form Body: files: must be %d or fewer in length", maxFiles))
	}
	if total > maxFileBytes {
		return nil, true, 413, errBody(40005, "Request entity too large")
	}
	if data == nil {
		data = map[string]any{}
	}
	if len(atts) > 0 {
		data["attachments"] = atts
	}
	payload, _ = json.Marshal(data)
	return payload, true, 0, nil
}
