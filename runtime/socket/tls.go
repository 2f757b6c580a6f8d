package socket

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"time"
)

// TLSOptions are tcpsock:sslhandshake's arguments.
type TLSOptions struct {
	ServerName string // sent as SNI, and checked against the certificate when Verify
	Verify     bool
	Roots      *x509.CertPool         // lua_ssl_trusted_certificate; nil: the system's roots
	Sessions   tls.ClientSessionCache // optional: resumes sessions across connections
	// Client is the certificate to show a server that asks for one
	// (tcpsock:setclientcert); nil: none.
	Client *tls.Certificate
}

// StartTLS runs the client handshake over c.  As in ngx_lua the handshake
// itself does not verify: the peer's chain and name are checked after it,
// and a failure is worded as nginx words it ("20: unable to get local
// issuer certificate", "certificate host mismatch"); any other failure is
// "handshake failed".  A failed handshake closes the connection.
func (c *Conn) StartTLS(ctx context.Context, o TLSOptions, timeout time.Duration) error {
	c.mu.Lock()
	switch {
	case c.nc == nil || c.rclosed || c.wclosed:
		c.mu.Unlock()
		return ErrClosed
	case c.reading:
		c.mu.Unlock()
		return ErrBusyReading
	case c.writing:
		c.mu.Unlock()
		return ErrBusyWriting
	case c.r.Buffered() > 0:
		// Those bytes came in the clear; the TLS stream cannot have them.
		c.mu.Unlock()
		return ErrUnreadData
	}
	nc := c.nc
	c.reading, c.writing = true, true
	c.mu.Unlock()

	cfg := &tls.Config{
		ServerName:         o.ServerName,
		InsecureSkipVerify: true, // verified below, the way nginx does
		ClientSessionCache: o.Sessions,
	}
	if o.Client != nil {
		cfg.Certificates = []tls.Certificate{*o.Client}
	}
	tc := tls.Client(nc, cfg)
	if timeout > 0 {
		nc.SetDeadline(time.Now().Add(timeout))
	}
	err := tc.HandshakeContext(ctx)
	if err == nil && o.Verify {
		err = verifyPeer(tc.ConnectionState(), o)
	}
	nc.SetDeadline(time.Time{})

	c.mu.Lock()
	c.reading, c.writing = false, false
	if err != nil {
		c.nc = nil
	} else {
		c.nc = tc
	}
	c.mu.Unlock()
	if err == nil {
		return nil
	}
	nc.Close()
	var e *Error
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.As(err, &e):
		return e
	case wordErr(err) == ErrTimeout:
		return ErrTimeout
	}
	return &Error{Text: ErrHandshake.Error(), Err: err}
}

// verifyPeer checks the chain, then the name, and words failures as
// OpenSSL's verify results ("<code>: <text>") that nginx reports.
func verifyPeer(cs tls.ConnectionState, o TLSOptions) error {
	certs := cs.PeerCertificates
	if len(certs) == 0 {
		return &Error{Text: "handshake failed"}
	}
	inter := x509.NewCertPool()
	for _, ct := range certs[1:] {
		inter.AddCert(ct)
	}
	_, err := certs[0].Verify(x509.VerifyOptions{Roots: o.Roots, Intermediates: inter})
	if err != nil {
		return &Error{Text: verifyText(err, certs), Err: err}
	}
	if o.ServerName != "" {
		if err := certs[0].VerifyHostname(o.ServerName); err != nil {
			return &Error{Text: ErrHostMismatch.Error(), Err: err}
		}
	}
	return nil
}

func verifyText(err error, certs []*x509.Certificate) string {
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &ua):
		switch {
		case len(certs) == 1 && selfSigned(certs[0]):
			return "18: self-signed certificate"
		case selfSigned(certs[len(certs)-1]):
			return "19: self-signed certificate in certificate chain"
		}
		return "20: unable to get local issuer certificate"
	case errors.As(err, &ci) && ci.Reason == x509.Expired:
		if time.Now().Before(ci.Cert.NotBefore) {
			return "9: certificate is not yet valid"
		}
		return "10: certificate has expired"
	case errors.As(err, &ci) && ci.Reason == x509.IncompatibleUsage:
		return "26: unsupported certificate purpose"
	case errors.As(err, &ci) && ci.Reason == x509.NotAuthorizedToSign:
		return "24: invalid CA certificate"
	}
	return ErrHandshake.Error()
}

func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) &&
		c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}
