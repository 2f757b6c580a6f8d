package main

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

// syslogWriter is error_log syslog:server=ADDR[:PORT][,facility=F]
// [,severity=S][,tag=T][,nohostname]: each error log line goes as one UDP
// datagram, after nginx's "<PRI>Mmm dd hh:mm:ss host tag: " header.
type syslogWriter struct {
	conn     net.Conn
	facility int
	tag      string
	host     string // "" with nohostname
}

var syslogFacilities = map[string]int{
	"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "intern": 5, "lpr": 6, "news": 7, "uucp": 8,
	"clock": 9, "authpriv": 10, "ftp": 11, "ntp": 12, "audit": 13, "alert": 14, "cron": 15,
	"local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
}

// syslogSeverity is a line's level as syslog numbers it, from its
// "[level]" (emerg 0 … debug 7).
var syslogSeverity = map[string]int{"emerg": 0, "alert": 1, "crit": 2, "error": 3, "warn": 4, "notice": 5, "info": 6, "debug": 7}

// newSyslogWriter opens the target of spec (what follows "syslog:"), with
// nginx's defaults: port 514, facility local7, tag nginx.
func newSyslogWriter(spec string) (*syslogWriter, error) {
	w := &syslogWriter{facility: 23, tag: "nginx"}
	w.host, _ = os.Hostname()
	server := ""
	for _, opt := range strings.Split(spec, ",") {
		name, value, _ := strings.Cut(opt, "=")
		switch name {
		case "server":
			server = value
		case "facility":
			f, ok := syslogFacilities[value]
			if !ok {
				return nil, fmt.Errorf("unknown syslog facility \"%s\"", value)
			}
			w.facility = f
		case "tag":
			w.tag = value
		case "nohostname":
			w.host = ""
		case "severity":
			// the line's own level decides, as for error_log
		default:
			return nil, fmt.Errorf("unknown syslog parameter \"%s\"", opt)
		}
	}
	if server == "" {
		return nil, fmt.Errorf("no server specified")
	}
	if _, _, err := net.SplitHostPort(server); err != nil {
		server = net.JoinHostPort(server, "514")
	}
	conn, err := net.Dial("udp", server)
	if err != nil {
		return nil, err
	}
	w.conn = conn
	return w, nil
}

// Write sends one log line.
func (w *syslogWriter) Write(line []byte) (int, error) {
	text := strings.TrimSuffix(string(line), "\n")
	severity := 3
	if i := strings.IndexByte(text, '['); i >= 0 {
		if j := strings.IndexByte(text[i:], ']'); j > 0 {
			if s, ok := syslogSeverity[text[i+1:i+j]]; ok {
				severity = s
			}
		}
	}
	header := "<" + strconv.Itoa(w.facility*8+severity) + ">" + time.Now().Format(time.Stamp) + " "
	if w.host != "" {
		header += w.host + " "
	}
	w.conn.Write([]byte(header + w.tag + ": " + text))
	return len(line), nil
}

func (w *syslogWriter) Close() error { return w.conn.Close() }
