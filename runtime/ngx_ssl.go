package runtime

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"

	lua "github.com/yuin/gopher-lua"
)

// require "ngx.ssl": lua-resty-core's PEM parsing, which
// tcpsock:setclientcert takes its certificate and key from, and the TLS
// version constants. The functions that act on the TLS connection being
// served answer as ngx_lua does on a plain one ("bad request"): resty
// serve speaks plain HTTP, and timers have no connection.

// sslCert is parse_pem_cert's result: a chain in DER, leaf first.
type sslCert struct{ chain [][]byte }

// sslKey is parse_pem_priv_key's result.
type sslKey struct{ key crypto.PrivateKey }

// The words of lua-resty-core's errors, which come from OpenSSL's calls.
const (
	errPEMCert = "PEM_read_bio_X509_AUX() failed"
	errPEMKey  = "PEM_read_bio_PrivateKey() failed"
)

func (w *Worker) ngxSSLLoader(L *lua.LState) int {
	funcs := map[string]lua.LGFunction{
		"parse_pem_cert":      sslParsePEMCert,
		"parse_pem_priv_key":  sslParsePEMKey,
		"cert_pem_to_der":     sslCertPEMToDER,
		"priv_key_pem_to_der": sslKeyPEMToDER,
	}
	for _, name := range []string{"clear_certs", "set_der_cert", "set_der_priv_key", "set_cert", "set_priv_key",
		"server_port", "server_name", "get_tls1_version", "get_tls1_version_str"} {
		funcs[name] = w.sslNoConnection(1, "bad request")
	}
	funcs["raw_server_addr"] = w.sslNoConnection(2, "bad request")
	funcs["raw_client_addr"] = w.sslNoConnection(2, "bad request")
	funcs["verify_client"] = w.sslNoConnection(1, "API disabled in the current context")
	m := funcTable(L, funcs)
	for name, v := range map[string]int{"SSL3_VERSION": 0x0300, "TLS1_VERSION": 0x0301,
		"TLS1_1_VERSION": 0x0302, "TLS1_2_VERSION": 0x0303, "TLS1_3_VERSION": 0x0304} {
		m.RawSetString(name, lua.LNumber(v))
	}
	L.Push(m)
	return 1
}

// sslNoConnection is an ngx.ssl function called where there is no TLS
// connection: nils (nils of them) and err; outside any request or timer,
// lua-resty-core's "no request found".
func (w *Worker) sslNoConnection(nils int, err string) lua.LGFunction {
	return func(L *lua.LState) int {
		if t := w.cur; t == nil || t.root.Kind == "init_by_lua*" {
			raise(L, "no request found")
		}
		for range nils {
			L.Push(lua.LNil)
		}
		L.Push(lua.LString(err))
		return nils + 1
	}
}

// pemChain is every CERTIFICATE block of pem, in order.
func pemChain(pemText string) [][]byte {
	var chain [][]byte
	rest := []byte(pemText)
	for {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			return chain
		}
		if b.Type == "CERTIFICATE" {
			if _, err := x509.ParseCertificate(b.Bytes); err != nil {
				return nil
			}
			chain = append(chain, b.Bytes)
		}
	}
}

// pemKey is the first private key of pem, and its DER as OpenSSL's
// i2d_PrivateKey writes it: PKCS#1 for RSA, SEC 1 for EC, PKCS#8 else.
// Encrypted keys are not read.
func pemKey(pemText string) (crypto.PrivateKey, []byte) {
	rest := []byte(pemText)
	for {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			return nil, nil
		}
		var key crypto.PrivateKey
		var err error
		switch b.Type {
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(b.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(b.Bytes)
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(b.Bytes)
		default:
			continue
		}
		if err != nil {
			return nil, nil
		}
		var der []byte
		switch k := key.(type) {
		case *rsa.PrivateKey:
			der = x509.MarshalPKCS1PrivateKey(k)
		case *ecdsa.PrivateKey:
			der, err = x509.MarshalECPrivateKey(k)
		default:
			der, err = x509.MarshalPKCS8PrivateKey(k)
		}
		if err != nil {
			return nil, nil
		}
		return key, der
	}
}

func sslParsePEMCert(L *lua.LState) int {
	chain := pemChain(L.CheckString(1))
	if len(chain) == 0 {
		return pushFail(L, errPEMCert)
	}
	L.Push(&lua.LUserData{Value: &sslCert{chain: chain}})
	return 1
}

func sslParsePEMKey(L *lua.LState) int {
	key, _ := pemKey(L.CheckString(1))
	if key == nil {
		return pushFail(L, errPEMKey)
	}
	L.Push(&lua.LUserData{Value: &sslKey{key: key}})
	return 1
}

// sslCertPEMToDER is cert_pem_to_der: the chain's certificates in DER, one
// after another, as OpenSSL's i2d_X509 writes them.
func sslCertPEMToDER(L *lua.LState) int {
	chain := pemChain(L.CheckString(1))
	if len(chain) == 0 {
		return pushFail(L, errPEMCert)
	}
	var der []byte
	for _, c := range chain {
		der = append(der, c...)
	}
	L.Push(lua.LString(der))
	return 1
}

func sslKeyPEMToDER(L *lua.LState) int {
	_, der := pemKey(L.CheckString(1))
	if der == nil {
		return pushFail(L, errPEMKey)
	}
	L.Push(lua.LString(der))
	return 1
}

// userValue is the Go value of v when it is a userdata holding a T.
func userValue[T any](v lua.LValue) (T, bool) {
	var zero T
	ud, ok := v.(*lua.LUserData)
	if !ok {
		return zero, false
	}
	t, ok := ud.Value.(T)
	return t, ok
}

// clientCertificate is setclientcert's pair as the handshake wants it.
func clientCertificate(c *sslCert, k *sslKey) tls.Certificate {
	return tls.Certificate{Certificate: c.chain, PrivateKey: k.key}
}
