package socket

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// dnsAnswer is how the test nameserver answers a name: an rcode, records,
// or silence.
type dnsAnswer struct {
	rcode  int
	a      []string
	aaaa   []string
	silent bool
}

// dnsServer is a hand-built UDP nameserver: it parses the question (RFC
// 1035 section 4.1), echoes it and answers from zone, by lowercase name
// without the final dot.
func dnsServer(t *testing.T, zone map[string]dnsAnswer) string {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := dnsReply(buf[:n], zone); resp != nil {
				pc.WriteTo(resp, from)
			}
		}
	}()
	t.Cleanup(func() {
		pc.Close()
		wg.Wait()
	})
	return pc.LocalAddr().String()
}

func dnsReply(q []byte, zone map[string]dnsAnswer) []byte {
	if len(q) < 12 {
		return nil
	}
	// The question: labels, then QTYPE and QCLASS.
	i := 12
	var labels []string
	for i < len(q) && q[i] != 0 {
		l := int(q[i])
		if i+1+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[i+1:i+1+l]))
		i += 1 + l
	}
	if i+5 > len(q) {
		return nil
	}
	question := q[12 : i+5]
	qtype := binary.BigEndian.Uint16(q[i+1:])
	ans, ok := zone[strings.ToLower(strings.Join(labels, "."))]
	if !ok {
		ans = dnsAnswer{rcode: 3}
	}
	if ans.silent {
		return nil
	}
	var rdata [][]byte
	addrs, rrtype := ans.a, uint16(1)
	if qtype == 28 {
		addrs, rrtype = ans.aaaa, 28
	}
	for _, a := range addrs {
		ip := net.ParseIP(a)
		if rrtype == 1 {
			ip = ip.To4()
		}
		rdata = append(rdata, ip)
	}
	if qtype != 1 && qtype != 28 {
		rdata = nil
	}
	// Header: the query's ID; QR, RD and RA set; one question.
	resp := binary.BigEndian.AppendUint16(nil, binary.BigEndian.Uint16(q))
	resp = binary.BigEndian.AppendUint16(resp, 0x8180|uint16(ans.rcode))
	resp = binary.BigEndian.AppendUint16(resp, 1)
	resp = binary.BigEndian.AppendUint16(resp, uint16(len(rdata)))
	resp = binary.BigEndian.AppendUint16(resp, 0)
	resp = binary.BigEndian.AppendUint16(resp, 0)
	resp = append(resp, question...)
	for _, rd := range rdata {
		resp = append(resp, 0xc0, 12) // the name: a pointer to the question's
		resp = binary.BigEndian.AppendUint16(resp, rrtype)
		resp = binary.BigEndian.AppendUint16(resp, 1)   // IN
		resp = binary.BigEndian.AppendUint32(resp, 300) // TTL
		resp = binary.BigEndian.AppendUint16(resp, uint16(len(rd)))
		resp = append(resp, rd...)
	}
	return resp
}

func writeFile(t *testing.T, name, text string) string {
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestResolver(t *testing.T) {
	ns := dnsServer(t, map[string]dnsAnswer{
		"ok.test":    {a: []string{"10.9.8.7"}},
		"multi.test": {a: []string{"10.0.0.1", "10.0.0.2"}},
		"v6.test":    {aaaa: []string{"2001:db8::1"}},
		"both.test":  {a: []string{"10.0.0.3"}, aaaa: []string{"2001:db8::3"}},
		"empty.test": {},
		"fail.test":  {rcode: 2},
		"slow.test":  {silent: true},
	})
	hosts := writeFile(t, "hosts", "# test hosts\n10.1.2.3 foo.test Foo2 # trailing\n::1 foo.test v6only.test\n\nbad line\n")
	r := &Resolver{Nameservers: []string{ns}, HostsFile: hosts}
	r6 := &Resolver{Nameservers: []string{ns}, HostsFile: hosts, IPv6: true}
	for _, tc := range []struct {
		name string
		r    *Resolver
		host string
		want []string
		err  string
	}{
		{"ipv4 literal", r, "127.0.0.1", []string{"127.0.0.1"}, ""},
		{"ipv6 literal", r, "::1", []string{"::1"}, ""},
		{"hosts", r, "foo.test", []string{"10.1.2.3"}, ""},
		{"hosts any case", r, "FOO2", []string{"10.1.2.3"}, ""},
		{"hosts ipv6", r6, "foo.test", []string{"10.1.2.3", "::1"}, ""},
		{"hosts ipv6 only entry, ipv4 asked: DNS", r, "v6only.test", nil, "v6only.test could not be resolved (3: Host not found)"},
		{"dns", r, "ok.test", []string{"10.9.8.7"}, ""},
		{"dns trailing dot", r, "ok.test.", []string{"10.9.8.7"}, ""},
		{"dns several", r, "multi.test", []string{"10.0.0.1", "10.0.0.2"}, ""},
		{"dns ipv4 only", r, "both.test", []string{"10.0.0.3"}, ""},
		{"dns ipv6", r6, "both.test", []string{"10.0.0.3", "2001:db8::3"}, ""},
		{"dns only AAAA, ipv4 asked", r, "v6.test", nil, "v6.test could not be resolved (3: Host not found)"},
		{"nxdomain", r, "nx.test", nil, "nx.test could not be resolved (3: Host not found)"},
		{"no records", r, "empty.test", nil, "empty.test could not be resolved (3: Host not found)"},
		{"servfail", r, "fail.test", nil, "fail.test could not be resolved (2: Server failure)"},
		{"timeout", r, "slow.test", nil, "slow.test could not be resolved (110: Operation timed out)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.r.LookupAll(context.Background(), tc.host, 300*time.Millisecond)
			slices.Sort(got)
			if !slices.Equal(got, tc.want) || errText(err) != tc.err {
				t.Fatalf("got %q, %q; want %q, %q", got, errText(err), tc.want, tc.err)
			}
			ip, err := tc.r.Lookup(context.Background(), tc.host, 300*time.Millisecond)
			if tc.err == "" && !slices.Contains(tc.want, ip) || errText(err) != tc.err {
				t.Fatalf("Lookup: %q, %v", ip, err)
			}
		})
	}

	t.Run("hosts file changes", func(t *testing.T) {
		path := writeFile(t, "hosts", "10.0.0.1 changing.test\n")
		r := &Resolver{Nameservers: []string{ns}, HostsFile: path}
		if ip, _ := r.Lookup(context.Background(), "changing.test", time.Second); ip != "10.0.0.1" {
			t.Fatal(ip)
		}
		os.WriteFile(path, []byte("10.0.0.22 changing.test\n"), 0o644)
		if ip, _ := r.Lookup(context.Background(), "changing.test", time.Second); ip != "10.0.0.22" {
			t.Fatal(ip)
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		_, err := r.Lookup(ctx, "slow.test", 0)
		if !errors.Is(err, context.Canceled) || time.Since(start) > 150*time.Millisecond {
			t.Fatalf("%v after %v", err, time.Since(start))
		}
	})

	t.Run("second nameserver", func(t *testing.T) {
		// A failing first server: the query goes on to the next one.
		dead := dnsServer(t, map[string]dnsAnswer{"ok.test": {rcode: 2}})
		r := &Resolver{Nameservers: []string{dead, ns}, HostsFile: hosts}
		if ip, err := r.Lookup(context.Background(), "ok.test", 20*time.Second); ip != "10.9.8.7" || err != nil {
			t.Fatalf("%q, %v", ip, err)
		}
	})
}

func TestResolverSystemFallback(t *testing.T) {
	r := &Resolver{HostsFile: writeFile(t, "hosts", "")}
	ip, err := r.Lookup(context.Background(), "localhost", 5*time.Second)
	if err != nil || !net.ParseIP(ip).IsLoopback() {
		t.Fatalf("%q, %v", ip, err)
	}
}

func TestNameservers(t *testing.T) {
	path := writeFile(t, "resolv.conf", "# comment\nsearch example.com\nnameserver 10.0.0.53\n nameserver ::1\nnameserver\noptions ndots:2\n")
	if got := NameserversFromResolvConf(path); !slices.Equal(got, []string{"10.0.0.53", "::1"}) {
		t.Fatalf("got %q", got)
	}
	if got := NameserversFromResolvConf(filepath.Join(t.TempDir(), "none")); got != nil {
		t.Fatalf("missing file: %q", got)
	}
	for in, want := range map[string]string{
		"10.0.0.53": "10.0.0.53:53", "10.0.0.53:5353": "10.0.0.53:5353",
		"::1": "[::1]:53", "[::1]": "[::1]:53", "[::1]:54": "[::1]:54", "ns.example": "ns.example:53",
	} {
		if got := nameserverAddr(in); got != want {
			t.Errorf("nameserverAddr(%q) = %q, want %q", in, got, want)
		}
	}
}
