package socket

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"
)

// issue makes a certificate for tmpl signed by parent (nil: self-signed).
func issue(t *testing.T, tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert, key
}

func certTemplate(serial int64, cn string, ca bool, notAfter time.Time) *x509.Certificate {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Now().Add(-2 * time.Hour),
		NotAfter:     notAfter,
	}
	if ca {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
	} else {
		tmpl.DNSNames = []string{"localhost"}
		tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1)}
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	return tmpl
}

// tlsServer says "hi\n" over TLS with the given chain, then echoes.
func tlsServer(t *testing.T, key *ecdsa.PrivateKey, chain ...*x509.Certificate) string {
	cert := tls.Certificate{PrivateKey: key, Leaf: chain[0]}
	for _, c := range chain {
		cert.Certificate = append(cert.Certificate, c.Raw)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	return tcpServer(t, func(nc net.Conn) {
		tc := tls.Server(nc, cfg)
		defer tc.Close()
		if err := tc.Handshake(); err != nil {
			return
		}
		tc.Write([]byte("hi\n"))
		echo(tc)
	})
}

func TestStartTLS(t *testing.T) {
	later := time.Now().Add(time.Hour)
	ca, caKey := issue(t, certTemplate(1, "test CA", true, later), nil, nil)
	leaf, leafKey := issue(t, certTemplate(2, "localhost", false, later), ca, caKey)
	expired, expiredKey := issue(t, certTemplate(3, "localhost", false, time.Now().Add(-time.Hour)), ca, caKey)
	self, selfKey := issue(t, certTemplate(4, "localhost", false, later), nil, nil)
	roots := x509.NewCertPool()
	roots.AddCert(ca)

	good := tlsServer(t, leafKey, leaf)
	withCA := tlsServer(t, leafKey, leaf, ca)
	for _, tc := range []struct {
		name string
		addr string
		o    TLSOptions
		err  string
	}{
		{"trusted", good, TLSOptions{ServerName: "localhost", Verify: true, Roots: roots}, ""},
		{"chain with root", withCA, TLSOptions{ServerName: "localhost", Verify: true, Roots: roots}, ""},
		{"no verify", good, TLSOptions{ServerName: "localhost"}, ""},
		{"no verify, wrong name", good, TLSOptions{ServerName: "other"}, ""},
		{"no name checked", good, TLSOptions{Verify: true, Roots: roots}, ""},
		{"untrusted", good, TLSOptions{ServerName: "localhost", Verify: true, Roots: x509.NewCertPool()},
			"20: unable to get local issuer certificate"},
		{"untrusted, wrong name", good, TLSOptions{ServerName: "other", Verify: true, Roots: x509.NewCertPool()},
			"20: unable to get local issuer certificate"},
		{"untrusted root in chain", withCA, TLSOptions{ServerName: "localhost", Verify: true, Roots: x509.NewCertPool()},
			"19: self-signed certificate in certificate chain"},
		{"self-signed", tlsServer(t, selfKey, self), TLSOptions{ServerName: "localhost", Verify: true, Roots: roots},
			"18: self-signed certificate"},
		{"expired", tlsServer(t, expiredKey, expired), TLSOptions{ServerName: "localhost", Verify: true, Roots: roots},
			"10: certificate has expired"},
		{"host mismatch", good, TLSOptions{ServerName: "other", Verify: true, Roots: roots}, "certificate host mismatch"},
		{"not TLS", scripted(t, "notls\n", hold{}), TLSOptions{ServerName: "localhost"}, "handshake failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			c := dial(t, tc.addr)
			err := c.StartTLS(ctx, tc.o, long)
			if errText(err) != tc.err {
				t.Fatalf("err = %q, want %q", errText(err), tc.err)
			}
			if err != nil {
				if _, err := c.ReceiveLine(ctx, long); errText(err) != "closed" {
					t.Fatalf("after a failed handshake: %v", err)
				}
				return
			}
			if s, err := c.ReceiveLine(ctx, long); s != "hi" || err != nil {
				t.Fatalf("%q, %v", s, err)
			}
		})
	}

	t.Run("timeout", func(t *testing.T) {
		c := dial(t, scripted(t, hold{}))
		if err := c.StartTLS(context.Background(), TLSOptions{}, 100*time.Millisecond); errText(err) != "timeout" {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("session reuse", func(t *testing.T) {
		o := TLSOptions{ServerName: "localhost", Verify: true, Roots: roots, Sessions: tls.NewLRUClientSessionCache(4)}
		for i, wantResumed := range []bool{false, true} {
			c := dial(t, good)
			if err := c.StartTLS(context.Background(), o, long); err != nil {
				t.Fatal(err)
			}
			// Reading lets the client take the server's session ticket.
			if s, err := c.ReceiveLine(context.Background(), long); s != "hi" || err != nil {
				t.Fatalf("%q, %v", s, err)
			}
			if got := c.nc.(*tls.Conn).ConnectionState().DidResume; got != wantResumed {
				t.Fatalf("connection %d: resumed %v", i, got)
			}
			c.Close()
		}
	})

	t.Run("pooled", func(t *testing.T) {
		var p Pools
		defer p.Close()
		ctx := context.Background()
		c := dial(t, good)
		if err := c.StartTLS(ctx, TLSOptions{ServerName: "localhost", Verify: true, Roots: roots}, long); err != nil {
			t.Fatal(err)
		}
		c.ReceiveLine(ctx, long)
		if err := p.Put("tls", c, time.Minute, 0, 0); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		c = p.Get("tls", 0)
		if c == nil {
			t.Fatal("TLS connection lost in the pool")
		}
		defer c.Close()
		if _, err := c.Send(ctx, []byte("ping\n"), long); err != nil {
			t.Fatal(err)
		}
		if s, err := c.ReceiveLine(ctx, long); s != "ping" || err != nil {
			t.Fatalf("%q, %v", s, err)
		}
	})
}
