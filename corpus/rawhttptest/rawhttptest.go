// Package rawhttptest is a fake web server on 127.0.0.1 that writes each
// response byte for byte as a test gives it, for what net/http's own
// server never sends: a status line whose reason phrase holds terminal
// escape codes or Markdown. (httptest writes the standard reason phrase,
// so it cannot stand in for a hostile site.)
package rawhttptest

import (
	"bufio"
	"net"
	"strings"
	"testing"
)

// Respond returns the response to one request exactly as it goes on the
// wire: status line, header lines, a blank line and the body. requestLine
// is the request's first line without its line ending ("GET /rss.xml
// HTTP/1.1"); base is the server's own "http://127.0.0.1:port", for links
// back to it.
type Respond func(base, requestLine string) string

// Serve starts the server, which reads each request's head (a request
// body, never sent by the fetchers under test, is not read), writes
// respond's answer and closes the connection. It stops when t ends, and
// returns base.
func Serve(t testing.TB, respond Respond) (base string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	base = "http://" + ln.Addr().String()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serveConn(c, base, respond)
		}
	}()
	return base
}

func serveConn(c net.Conn, base string, respond Respond) {
	defer c.Close()
	r := bufio.NewReader(c)
	first, err := r.ReadString('\n')
	if err != nil {
		return
	}
	for { // the rest of the request head
		l, err := r.ReadString('\n')
		if err != nil || l == "\r\n" {
			break
		}
	}
	c.Write([]byte(respond(base, strings.TrimRight(first, "\r\n"))))
}
