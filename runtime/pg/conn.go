// Package pg is resty's PostgreSQL client: pgmoon's behaviour over
// jackc/pgx's pgconn. Plain Go, no Lua: every call here blocks, and the
// binding (runtime/postgres.go) runs it off the worker's baton.
package pg

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/restygo/resty/runtime/socket"
)

// Options are pgmoon.new's, plus what the worker decides.
type Options struct {
	Host, Port, Database, User, Password string
	ApplicationName                      string
	SSL, SSLVerify, SSLRequired          bool
	Roots                                *x509.CertPool // ssl_verify's CAs; nil: the system's
	// Lookup resolves Host (the worker's resolver); nil: Go's.
	Lookup func(ctx context.Context, host string) (string, error)
}

// Notification is a LISTEN/NOTIFY message.
type Notification struct {
	PID              uint32
	Channel, Payload string
}

// Conn is one connection to the server. A Conn is used by one goroutine at
// a time (the binding's busy flag sees to it).
type Conn struct {
	pc            *pgconn.PgConn
	notices       []string
	notifications []Notification
	slot          *limit // the pool whose connection count includes this one
}

// Connect opens a connection and authenticates (trust, password, md5 or
// SCRAM-SHA-256: pgconn answers whatever the server asks for).
func Connect(ctx context.Context, o Options) (*Conn, error) {
	cfg, err := config(o)
	if err != nil {
		return nil, err
	}
	c := &Conn{}
	cfg.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
		c.notices = append(c.notices, FormatServerError((*pgconn.PgError)(n)))
	}
	cfg.OnNotification = func(_ *pgconn.PgConn, n *pgconn.Notification) {
		c.notifications = append(c.notifications, Notification{PID: n.PID, Channel: n.Channel, Payload: n.Payload})
	}
	c.pc, err = pgconn.ConnectConfig(ctx, cfg)
	if err != nil && cfg.TLSConfig != nil && strings.Contains(err.Error(), "server refused TLS connection") {
		// pgmoon goes on in the clear unless ssl_required.
		if o.SSLRequired {
			return nil, errors.New("the server does not support SSL connections")
		}
		cfg.TLSConfig = nil
		c.pc, err = pgconn.ConnectConfig(ctx, cfg)
	}
	if err != nil {
		return nil, connectError(err)
	}
	return c, nil
}

// config builds pgconn's configuration from the options alone: the PG*
// environment and service files must not change what a script connects to,
// so every setting they could fill is given here.
func config(o Options) (*pgconn.Config, error) {
	if o.Database == "" {
		return nil, errors.New("missing database for connect")
	}
	if _, err := strconv.ParseUint(o.Port, 10, 16); err != nil {
		return nil, errors.New("bad port number: " + o.Port)
	}
	kv := func(k, v string) string {
		return k + "='" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "' "
	}
	cfg, err := pgconn.ParseConfig(kv("host", o.Host) + kv("port", o.Port) + kv("user", o.User) +
		kv("dbname", o.Database) + kv("password", o.Password) + "sslmode=disable")
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams = map[string]string{"application_name": o.ApplicationName}
	if path, ok := strings.CutPrefix(o.Host, "unix:"); ok {
		// pgmoon hands "unix:/run/postgresql/.s.PGSQL.5432" to the cosocket,
		// which dials that file. pgconn wants a directory and appends the
		// file name, so dial the path as given.
		cfg.Host = filepath.Dir(path)
		cfg.DialFunc = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		}
	}
	if o.Lookup != nil {
		cfg.LookupFunc = func(ctx context.Context, host string) ([]string, error) {
			ip, err := o.Lookup(ctx, host)
			return []string{ip}, err
		}
	}
	if o.SSL {
		// As pgmoon's sslhandshake(false, nil, ssl_verify) on a cosocket:
		// no server name, and verify checks the chain only.
		cfg.TLSConfig = &tls.Config{InsecureSkipVerify: true}
		if o.SSLVerify {
			cfg.TLSConfig.VerifyConnection = func(cs tls.ConnectionState) error {
				return socket.VerifyPeer(cs, o.Roots, "")
			}
		}
	}
	return cfg, nil
}

// Result is one statement's reply.
type Result struct {
	Columns []string // nil: the statement returns no rows (INSERT, CREATE…)
	Rows    [][]any  // decoded values by column; nil is NULL
	Tag     string   // the command tag: "SELECT 2", "INSERT 0 1"…
}

// Reply is what a query brought back. Err is the server's error for the
// statement that failed; the results of the statements before it are kept,
// as pgmoon returns them.
type Reply struct {
	Results       []Result
	Err           *pgconn.PgError
	Notices       []string
	Notifications []Notification
}

// Query runs sql with the simple protocol (several statements allowed) if
// params is nil, else one statement with $n parameters in text format (nil
// for NULL). The error is a transport failure, worded as pgmoon's; the
// connection is closed then.
func (c *Conn) Query(ctx context.Context, sql string, params [][]byte, oids []uint32) (*Reply, error) {
	if c.pc == nil || c.pc.IsClosed() {
		return nil, receiveError(ErrClosed)
	}
	c.notices, c.notifications = nil, nil
	var results []Result
	var err error
	if params == nil {
		mrr := c.pc.Exec(ctx, sql)
		for mrr.NextResult() {
			// An empty query has no command tag: pgmoon does not count it.
			if r, rerr := readResult(mrr.ResultReader()); rerr == nil && (r.Tag != "" || r.Columns != nil) {
				results = append(results, r)
			}
		}
		err = mrr.Close()
	} else {
		var r Result
		r, err = readResult(c.pc.ExecParams(ctx, sql, params, oids, nil, nil))
		if err == nil {
			results = append(results, r)
		}
	}
	var pe *pgconn.PgError
	if err != nil && (c.pc.IsClosed() || !errors.As(err, &pe)) {
		c.Close() // closed by pgconn already: this frees its pool place
		return nil, receiveError(err)
	}
	rep := &Reply{Results: results, Err: pe, Notices: c.notices, Notifications: c.notifications}
	c.notices, c.notifications = nil, nil
	return rep, nil
}

// readResult reads one statement's rows, decoding them as they come.
func readResult(rr *pgconn.ResultReader) (Result, error) {
	var r Result
	fds := rr.FieldDescriptions()
	if fds != nil {
		r.Columns = make([]string, len(fds))
		for i, fd := range fds {
			r.Columns[i] = fd.Name
		}
	}
	for rr.NextRow() {
		vals := rr.Values()
		row := make([]any, len(vals))
		for i, v := range vals {
			if v != nil {
				row[i] = Decode(fds[i].DataTypeOID, v)
			}
		}
		r.Rows = append(r.Rows, row)
	}
	tag, err := rr.Close()
	r.Tag = tag.String()
	return r, err
}

// WaitForNotification returns the next notification. A timeout leaves the
// connection usable, as a cosocket read timeout does.
func (c *Conn) WaitForNotification(ctx context.Context) (Notification, error) {
	if c.pc == nil || c.pc.IsClosed() {
		return Notification{}, receiveError(ErrClosed)
	}
	for len(c.notifications) == 0 {
		if err := c.pc.WaitForNotification(ctx); err != nil {
			if c.pc.IsClosed() {
				c.Close()
			}
			return Notification{}, receiveError(err)
		}
	}
	n := c.notifications[0]
	c.notifications = c.notifications[1:]
	return n, nil
}

// PID is the server process serving the connection.
func (c *Conn) PID() uint32 { return c.pc.PID() }

// Closed tells whether the connection is gone.
func (c *Conn) Closed() bool { return c.pc == nil || c.pc.IsClosed() }

// Close says goodbye to the server (a Terminate message, waiting at most a
// second) and releases the connection's place in its pool.
func (c *Conn) Close() {
	if c.pc != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		c.pc.Close(ctx)
		cancel()
	}
	c.release()
}
