package corpus

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/transform"
)

// toUTF8 decodes a fetched text body to UTF-8. The encoding comes, in the
// order browsers use, from a byte order mark, the Content-Type charset, a
// <meta charset> or http-equiv declaration in the first 1024 bytes, and
// finally a guess (UTF-8 when the bytes are valid UTF-8, else Windows-1252).
// Labels follow the WHATWG Encoding standard, so "ISO-8859-1" decodes as
// Windows-1252 and curly quotes in 0x80–0x9F come out right, as they do in
// a browser.
func toUTF8(body []byte, contentType string) ([]byte, error) {
	enc, name, _ := charset.DetermineEncoding(body, contentType)
	if name == "utf-8" {
		return bytes.TrimPrefix(body, []byte("\uFEFF")), nil
	}
	out, _, err := transform.Bytes(enc.NewDecoder(), body)
	if err != nil {
		return nil, fmt.Errorf("decode %s text: %w", name, err)
	}
	return out, nil
}

// binaryType reports the sniffed type of a body that was labelled as text but
// holds binary data (an image, a PDF, an archive), or "" when it is text.
// It uses the same sniffing table as browsers (http.DetectContentType), which
// treats control bytes such as NUL as the mark of binary data but accepts
// any legacy 8-bit text encoding.
func binaryType(body []byte) string {
	sniffed := http.DetectContentType(body)
	if strings.HasPrefix(sniffed, "text/") {
		return ""
	}
	return sniffed
}
