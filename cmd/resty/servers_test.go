package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// Real servers for the scripts, each on a free 127.0.0.1 port exported as
// $<NAME>_PORT:
//
//	server redis | memcached   the real daemons
//	server postgres            a throwaway PostgreSQL ($PG_USER, $PG_PASSWORD…: server_postgres_test.go)
//	server echo                a TCP server echoing what it reads
//	server silent              a TCP server that reads and never answers
//	server udpecho             a UDP server echoing each datagram
//	server dns                 a DNS server: A 10.1.2.3 for *.test, else NXDOMAIN
//	server websocket           a WebSocket server echoing text and binary frames
//	server tls                 a TLS echo server for "localhost", its CA in $WORK/ca.pem
//
// [have:PROG] is true when PROG (a command, or a file's path) is
// installed, and always under
// RESTY_REQUIRE_SERVERS=1 (CI), where a missing server must fail the test
// instead of skipping it.

func haveCondition(cond string) (bool, error) {
	prog, ok := strings.CutPrefix(cond, "have:")
	if !ok {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if os.Getenv("RESTY_REQUIRE_SERVERS") == "1" {
		return true, nil
	}
	if strings.Contains(prog, "/") { // a file a package installs
		_, err := os.Stat(prog)
		return err == nil, nil
	}
	_, err := exec.LookPath(prog)
	return err == nil, nil
}

func freePort(ts *testscript.TestScript) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ts.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func cmdServer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: server redis|memcached|postgres|echo|hangup|silent|udpecho|dns|websocket|tls|mtls")
	}
	kind := args[0]
	var port int
	switch kind {
	case "redis":
		port = freePort(ts)
		startDaemon(ts, port, "redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	case "postgres":
		port = startPostgres(ts) // server_postgres_test.go
	case "memcached":
		port = freePort(ts)
		args := []string{"-l", "127.0.0.1", "-p", strconv.Itoa(port), "-U", "0"}
		if os.Geteuid() == 0 { // memcached refuses root without -u
			args = append(args, "-u", "root")
		}
		startDaemon(ts, port, "memcached", args...)
	case "echo":
		port = serveTCP(ts, kind, nil, echo)
	case "hangup": // answers one line with "bye", hangs up 20ms later
		port = serveTCP(ts, kind, nil, func(c net.Conn) {
			defer c.Close()
			if _, err := bufio.NewReader(c).ReadString('\n'); err == nil {
				c.Write([]byte("bye\r\n"))
				time.Sleep(20 * time.Millisecond)
			}
		})
	case "silent": // accepts, reads, never answers: connect timeouts
		port = serveTCP(ts, kind, nil, func(c net.Conn) {
			defer c.Close()
			io.Copy(io.Discard, c)
		})
	case "udpecho":
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			ts.Fatalf("udpecho: %v", err)
		}
		ts.Defer(func() { pc.Close() })
		go func() {
			buf := make([]byte, 65536)
			for {
				n, addr, err := pc.ReadFrom(buf)
				if err != nil {
					return
				}
				pc.WriteTo(buf[:n], addr)
			}
		}()
		port = pc.LocalAddr().(*net.UDPAddr).Port
	case "dns":
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			ts.Fatalf("dns: %v", err)
		}
		ts.Defer(func() { pc.Close() })
		go serveDNS(pc)
		port = pc.LocalAddr().(*net.UDPAddr).Port
	case "websocket":
		port = serveTCP(ts, kind, nil, serveWebSocket)
	case "tls", "mtls": // mtls wants a client certificate and greets it by name
		cfg, caPEM := testTLS(ts)
		handle := echo
		if kind == "mtls" {
			cfg.ClientAuth = tls.RequireAndVerifyClientCert
			handle = greetClient
		}
		if err := os.WriteFile(ts.MkAbs("ca.pem"), caPEM, 0o644); err != nil {
			ts.Fatalf("tls: %v", err)
		}
		port = serveTCP(ts, kind, cfg, handle)
	default:
		ts.Fatalf("unknown server %q", kind)
	}
	ts.Setenv(strings.ToUpper(kind)+"_PORT", strconv.Itoa(port))
}

// serveTCP runs handle on its own goroutine for each connection to a fresh
// 127.0.0.1 listener (TLS with cfg, when given) until the script ends, and
// returns the port.
func serveTCP(ts *testscript.TestScript, name string, cfg *tls.Config, handle func(net.Conn)) int {
	var l net.Listener
	var err error
	if cfg != nil {
		l, err = tls.Listen("tcp", "127.0.0.1:0", cfg)
	} else {
		l, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		ts.Fatalf("%s: %v", name, err)
	}
	ts.Defer(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go handle(c)
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}

// echo sends back whatever the peer sends.
func echo(c net.Conn) {
	defer c.Close()
	io.Copy(c, c)
}

// greetClient answers a TLS client with "hello <its certificate's CN>".
func greetClient(c net.Conn) {
	defer c.Close()
	tc := c.(*tls.Conn)
	if err := tc.Handshake(); err != nil {
		return
	}
	fmt.Fprintf(c, "hello %s\n", tc.ConnectionState().PeerCertificates[0].Subject.CommonName)
}

// startDaemon runs prog until the script ends and waits for its port.
func startDaemon(ts *testscript.TestScript, port int, prog string, args ...string) {
	cmd := exec.Command(prog, args...)
	if err := cmd.Start(); err != nil {
		ts.Fatalf("%s: %v", prog, err)
	}
	ts.Defer(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
	}
	ts.Fatalf("%s did not listen on %s", prog, addr)
}

// serveDNS answers each query with one A record (10.1.2.3, TTL 60) when
// the name ends in ".test", NXDOMAIN otherwise: enough for resolvers.
func serveDNS(pc net.PacketConn) {
	buf := make([]byte, 512)
	for {
		n, addr, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		if n < 12 {
			continue
		}
		q := buf[:n]
		// The question ends after its name's labels, then type and class.
		end := 12
		var labels []string
		for end < n && q[end] != 0 {
			labels = append(labels, string(q[end+1:end+1+int(q[end])]))
			end += int(q[end]) + 1
		}
		end += 5
		if end > n {
			continue
		}
		name := strings.Join(labels, ".")
		resp := append([]byte{}, q[:end]...)
		resp[2], resp[3] = 0x81, 0x80 // a response, recursion desired and available
		resp[6], resp[7], resp[8], resp[9], resp[10], resp[11] = 0, 0, 0, 0, 0, 0
		qtype := int(q[end-4])<<8 | int(q[end-3])
		if !strings.HasSuffix(name, ".test") {
			resp[3] |= 3 // NXDOMAIN
		} else if qtype == 1 {
			resp[7] = 1
			resp = append(resp, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 1, 2, 3)
		}
		pc.WriteTo(resp, addr)
	}
}

// serveWebSocket accepts the RFC 6455 upgrade, then echoes data frames
// (unmasked, as a server sends them), answers a ping with a pong and a
// close with a close.
func serveWebSocket(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	req, err := http.ReadRequest(r)
	if err != nil {
		return
	}
	sum := sha1.Sum([]byte(req.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	fmt.Fprintf(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
		base64.StdEncoding.EncodeToString(sum[:]))
	for {
		var h [2]byte
		if _, err := io.ReadFull(r, h[:]); err != nil {
			return
		}
		op, n := h[0]&0x0f, int(h[1]&0x7f)
		switch n {
		case 126:
			var ext [2]byte
			io.ReadFull(r, ext[:])
			n = int(ext[0])<<8 | int(ext[1])
		case 127:
			return // not needed by the tests
		}
		var mask [4]byte
		if h[1]&0x80 != 0 {
			io.ReadFull(r, mask[:])
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(r, payload); err != nil {
			return
		}
		for i := range payload {
			payload[i] ^= mask[i%4]
		}
		if op == 0x9 {
			op = 0xa // ping: pong
		}
		frame := []byte{0x80 | op}
		if n < 126 {
			frame = append(frame, byte(n))
		} else {
			frame = append(frame, 126, byte(n>>8), byte(n))
		}
		c.Write(append(frame, payload...))
		if op == 0x8 {
			return
		}
	}
}

// testTLS makes a CA and a certificate it signs for localhost/127.0.0.1.
func testTLS(ts *testscript.TestScript) (*tls.Config, []byte) {
	newKey := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			ts.Fatalf("key: %v", err)
		}
		return k
	}
	caKey, leafKey := newKey(), newKey()
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "resty test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		ts.Fatalf("ca: %v", err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "localhost"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		ts.Fatalf("leaf: %v", err)
	}
	cert := tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: leafKey}
	// a client certificate from the same CA, for setclientcert: client.crt
	// and client.key (PKCS#8) in the script's directory
	clientKey := newKey()
	clientTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "resty client"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	clientDER, err := x509.CreateCertificate(rand.Reader, clientTmpl, caCert, &clientKey.PublicKey, caKey)
	if err != nil {
		ts.Fatalf("client: %v", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(clientKey)
	if err != nil {
		ts.Fatalf("client key: %v", err)
	}
	os.WriteFile(ts.MkAbs("client.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: clientDER}), 0o644)
	os.WriteFile(ts.MkAbs("client.key"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	cas := x509.NewCertPool()
	cas.AddCert(caCert)
	return &tls.Config{Certificates: []tls.Certificate{cert}, ClientCAs: cas}, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
}
