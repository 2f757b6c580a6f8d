package socket

import (
	"crypto/tls"
	"crypto/x509"
	"net"
)

// Helpers for clients that keep their own connections (runtime/pg), so
// they behave as the cosockets do.

// Quiet tells whether a pooled connection is still good to hand out: the
// peer has neither sent anything nor hung up since it went idle.
func Quiet(nc net.Conn) bool { return pending(nc) == idleQuiet }

// VerifyPeer checks a finished handshake as sslhandshake's verify does
// (the chain against roots, then serverName unless empty), worded as
// nginx words failures ("20: unable to get local issuer certificate").
func VerifyPeer(cs tls.ConnectionState, roots *x509.CertPool, serverName string) error {
	return verifyPeer(cs, TLSOptions{Roots: roots, ServerName: serverName})
}
