package rag

import (
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Caps on what one API response may send. The answer's own cap (Chat's
// maxBytes) counts the text of parsed deltas, but go-openai reads a
// server-sent event line whole before parsing it, so a server that sends
// one endless line would fill memory until the process dies: these caps
// stop reading at the transport, whatever the response looks like.
const (
	// maxChatResponseBytes is far above a streamed answer of a few
	// thousand tokens (a few hundred bytes of JSON per delta).
	maxChatResponseBytes = 16 << 20
	// maxAPIResponseBytes covers an embeddings batch (256 inputs of up to
	// 3,072 floats written as JSON, about 17 MB).
	maxAPIResponseBytes = 64 << 20
)

// limitBodies is an http.RoundTripper whose response bodies fail with an
// error once they pass their cap.
type limitBodies struct{ next http.RoundTripper }

func (l limitBodies) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(req)
	if err != nil || resp.Body == nil {
		return resp, err
	}
	limit := int64(maxAPIResponseBytes)
	if strings.HasSuffix(req.URL.Path, "/chat/completions") {
		limit = maxChatResponseBytes
	}
	resp.Body = &cappedBody{rc: resp.Body, left: limit, limit: limit, host: req.URL.Host}
	return resp, nil
}

type cappedBody struct {
	rc          io.ReadCloser
	left, limit int64
	host        string
}

func (c *cappedBody) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, fmt.Errorf("the response from %s passed %d MB; it ignores the token limit or is not an OpenAI-compatible API", c.host, c.limit>>20)
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *cappedBody) Close() error { return c.rc.Close() }
