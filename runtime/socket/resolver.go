package socket

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Resolver turns the host of tcpsock:connect and udpsock:setpeername into
// an address, as nginx's resolver directive does for cosockets.
type Resolver struct {
	// Nameservers are "host" or "host:port" (port 53 by default), asked
	// in turn; none: the system resolver.
	Nameservers []string
	IPv6        bool   // also AAAA records and IPv6 hosts entries (resolver ... ipv6=on)
	HostsFile   string // consulted first; "" is /etc/hosts

	next  atomic.Uint32 // round-robin over Nameservers
	hosts hostsCache
}

// ResolveError is nginx's wording of a failed resolution:
// "<host> could not be resolved (<code>: <text>)".
type ResolveError struct {
	Host string
	Code int    // 2, 3 or 110, nginx's codes
	Text string // "Server failure", "Host not found", "Operation timed out"
	Err  error
}

func (e *ResolveError) Error() string {
	return fmt.Sprintf("%s could not be resolved (%d: %s)", e.Host, e.Code, e.Text)
}
func (e *ResolveError) Unwrap() error { return e.Err }

// Lookup returns one address of host: the literal itself, else one of the
// hosts file's or the nameservers' addresses, picked at random when there
// are several, as ngx_lua picks.
func (r *Resolver) Lookup(ctx context.Context, host string, timeout time.Duration) (string, error) {
	ips, err := r.LookupAll(ctx, host, timeout)
	if err != nil {
		return "", err
	}
	return ips[rand.IntN(len(ips))], nil
}

// LookupAll returns every address Lookup picks from (IPv4 only unless IPv6).
func (r *Resolver) LookupAll(ctx context.Context, host string, timeout time.Duration) ([]string, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []string{host}, nil
	}
	path := r.HostsFile
	if path == "" {
		path = "/etc/hosts"
	}
	if ips := r.hosts.lookup(path, host, r.IPv6); len(ips) > 0 {
		return ips, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	parent := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, timeout)
		defer cancel()
	}
	network := "ip4"
	if r.IPv6 {
		network = "ip"
	}
	res := net.DefaultResolver
	name := host
	if len(r.Nameservers) > 0 {
		res = &net.Resolver{PreferGo: true, Dial: r.dial}
		// Absolute, so resolv.conf's search list is not applied: nginx
		// asks for the name as given.
		if !strings.HasSuffix(name, ".") {
			name += "."
		}
	}
	addrs, err := res.LookupIP(ctx, network, name)
	if err == nil && len(addrs) == 0 {
		err = &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	if err != nil {
		if parent.Err() != nil {
			return nil, parent.Err()
		}
		return nil, resolveErr(host, err)
	}
	ips := make([]string, len(addrs))
	for i, a := range addrs {
		ips[i] = a.String()
	}
	return ips, nil
}

func resolveErr(host string, err error) error {
	var de *net.DNSError
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &de) && de.IsTimeout:
		return &ResolveError{Host: host, Code: 110, Text: "Operation timed out", Err: err}
	case errors.As(err, &de) && de.IsNotFound:
		return &ResolveError{Host: host, Code: 3, Text: "Host not found", Err: err}
	}
	return &ResolveError{Host: host, Code: 2, Text: "Server failure", Err: err}
}

// dial sends the Go resolver's queries to our nameservers, whichever
// server resolv.conf named.
func (r *Resolver) dial(ctx context.Context, network, _ string) (net.Conn, error) {
	ns := r.Nameservers[int(r.next.Add(1)-1)%len(r.Nameservers)]
	var d net.Dialer
	nc, err := d.DialContext(ctx, network, nameserverAddr(ns))
	if err != nil {
		return nil, err
	}
	// Go waits for the answer until its own per-try deadline, whatever
	// happens to ctx; a cancelled lookup must end its reader now.  (Go
	// cancels ctx when the exchange ends, so this also fires then, on a
	// closed conn; the conn stays unwrapped, as Go picks UDP framing by
	// its type.)
	context.AfterFunc(ctx, func() { nc.SetDeadline(aLongTimeAgo) })
	return nc, nil
}

func nameserverAddr(ns string) string {
	if _, _, err := net.SplitHostPort(ns); err == nil {
		return ns
	}
	return net.JoinHostPort(strings.Trim(ns, "[]"), "53")
}

// NameserversFromResolvConf lists the nameserver lines of a resolv.conf,
// which resty-cli hands to its resolver directive.
func NameserversFromResolvConf(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var ns []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "nameserver" {
			ns = append(ns, fields[1])
		}
	}
	return ns
}

// hostsCache keeps one hosts file parsed until it changes on disk.
type hostsCache struct {
	mu     sync.Mutex
	path   string
	mod    time.Time
	size   int64
	byName map[string][]net.IP
}

func (h *hostsCache) lookup(path, host string, v6 bool) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	st, err := os.Stat(path)
	if err != nil {
		return nil
	}
	if path != h.path || !st.ModTime().Equal(h.mod) || st.Size() != h.size {
		h.path, h.mod, h.size = path, st.ModTime(), st.Size()
		h.byName = parseHosts(path)
	}
	var ips []string
	for _, ip := range h.byName[strings.ToLower(strings.TrimSuffix(host, "."))] {
		if ip.To4() != nil || v6 {
			ips = append(ips, ip.String())
		}
	}
	return ips
}

func parseHosts(path string) map[string][]net.IP {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	m := make(map[string][]net.IP)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(line)
		if len(fields) < 2 {
			continue
		}
		ip := net.ParseIP(fields[0])
		if ip == nil {
			continue
		}
		for _, name := range fields[1:] {
			name = strings.ToLower(name)
			m[name] = append(m[name], ip)
		}
	}
	return m
}
