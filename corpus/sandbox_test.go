package corpus

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/corpus/pdftest"
)

func testSandbox(t *testing.T) *Sandbox {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return NewSandbox(exe)
}

// TestPDFBombsRefused: the two bombs of the security review are refused
// with an error saying why, in this process and in the child process.
// The child's own deadline (10 s) is not what stops them: the message
// names the cap.
func TestPDFBombsRefused(t *testing.T) {
	sb := testSandbox(t)
	bombs := []struct {
		name, want string
		pdf        []byte
	}{
		{"20 MB of text", "PDF holds more than 2 MB of text", pdftest.TextBomb(20 << 20)},
		{"3 million text operators", "PDF expands past 8 MB", pdftest.OperatorBomb(3_000_000)},
	}
	readers := []struct {
		name string
		read func([]byte) (Article, error)
	}{
		{"in process", extractPDF},
		{"child process", func(b []byte) (Article, error) { return sb.ExtractPDF(context.Background(), b) }},
	}
	for _, b := range bombs {
		for _, r := range readers {
			t.Run(b.name+"/"+r.name, func(t *testing.T) {
				t.Logf("PDF of %d bytes", len(b.pdf))
				a, err := r.read(b.pdf)
				if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), b.want) {
					t.Fatalf("got %d bytes of text, err %v; want ErrTooLarge saying %q", len(a.Body), err, b.want)
				}
			})
		}
	}
}

// TestPDFTextCap: a PDF under the inflation cap whose text is over 2 MB
// is refused by the text cap.
func TestPDFTextCap(t *testing.T) {
	_, err := extractPDF(pdftest.TextBomb(MaxTextBytes + 1000))
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "more than 2 MB of text") {
		t.Fatalf("got %v, want ErrTooLarge naming the 2 MB text cap", err)
	}
}

// TestSandboxReadsPDF: an ordinary PDF comes back whole from the child.
func TestSandboxReadsPDF(t *testing.T) {
	a, err := testSandbox(t).ExtractPDF(context.Background(), pdftest.Text("Harbour barrier", "The harbour barrier will close in storms from 2027."))
	if err != nil || a.Title != "Harbour barrier" || a.Body != "The harbour barrier will close in storms from 2027." {
		t.Fatalf("got %+v, %v", a, err)
	}
}

// TestSandboxChildFailures: a child that stalls is killed at the deadline
// and one that exhausts its address space dies alone; each is a clear
// error, and the parent (this test) goes on.
func TestSandboxChildFailures(t *testing.T) {
	tests := []struct {
		name, input, want string
	}{
		{"stalls", "%HANG", "took longer than 1s"},
		{"runs out of memory", "%OOM", "needed more than 256 MB of memory"},
		{"not a PDF", "hello", "could not be read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sb := testSandbox(t)
			sb.Memory, sb.Timeout = 256<<20, time.Minute // a busy machine must not turn the others into timeouts
			if tc.input == "%HANG" {
				sb.Timeout = time.Second
			}
			_, err := sb.ExtractPDF(context.Background(), []byte(tc.input))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

// TestFetchPDFBombThroughSandbox: a bomb served at a URL is refused by
// Fetch with ErrTooLarge when PDFs go through the child process.
func TestFetchPDFBombThroughSandbox(t *testing.T) {
	bomb := pdftest.TextBomb(20 << 20)
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write(bomb)
	}))
	defer site.Close()
	f := testFetcher(FetchConfig{ReadPDF: testSandbox(t).ExtractPDF})
	if _, err := f.Fetch(context.Background(), site.URL+"/bomb.pdf"); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
}
