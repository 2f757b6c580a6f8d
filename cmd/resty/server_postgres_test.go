package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/rogpeppe/go-internal/testscript"
)

// A throwaway PostgreSQL for `server postgres`: initdb into a temporary
// directory, password authentication only (SCRAM-SHA-256 for $PG_USER, md5
// for $PG_MD5_USER), TLS on with a certificate of the test CA
// ($WORK/ca.pem), listening on 127.0.0.1:$PG_PORT. As root, the server runs
// as the postgres user, since PostgreSQL refuses to run as root.

const (
	pgUser, pgPassword       = "resty", "resty-secret"
	pgMD5User, pgMD5Password = "md5user", "md5-secret"
)

// pgBin finds a PostgreSQL program (Debian keeps them out of $PATH).
func pgBin(prog string) string {
	if p, err := exec.LookPath(prog); err == nil && prog != "postgres" {
		return p
	}
	m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + prog)
	if len(m) == 0 {
		return ""
	}
	return m[len(m)-1]
}

func startPostgres(ts *testscript.TestScript) int {
	initdb, postgres := pgBin("initdb"), pgBin("postgres")
	if initdb == "" || postgres == "" { // scripts skip first: [!have:/usr/lib/postgresql]
		ts.Fatalf("postgres: initdb/postgres not found (apt-get install postgresql)")
	}
	dir, err := os.MkdirTemp("", "resty-pg")
	if err != nil {
		ts.Fatalf("postgres: %v", err)
	}
	ts.Defer(func() { os.RemoveAll(dir) })
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			ts.Fatalf("postgres: running as root needs a postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			ts.Fatalf("postgres: %v", err)
		}
	}
	write := func(name, data string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), mode); err != nil {
			ts.Fatalf("postgres: %v", err)
		}
		if cred != nil {
			os.Chown(p, int(cred.Uid), int(cred.Gid))
		}
		return p
	}
	command := func(prog string, args ...string) *exec.Cmd {
		cmd := exec.Command(prog, args...)
		cmd.Dir = dir
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		return cmd
	}

	data := filepath.Join(dir, "data")
	pwfile := write("pwfile", pgPassword+"\n", 0o600)
	if out, err := command(initdb, "-D", data, "-U", pgUser, "--pwfile", pwfile, "--auth", "scram-sha-256",
		"-E", "UTF8", "--no-locale", "-N").CombinedOutput(); err != nil {
		ts.Fatalf("initdb: %v\n%s", err, out)
	}
	write("data/pg_hba.conf", "local all all scram-sha-256\nhost all "+pgMD5User+" 127.0.0.1/32 md5\nhost all all 127.0.0.1/32 scram-sha-256\n", 0o600)

	cfg, caPEM := testTLS(ts)
	if err := os.WriteFile(ts.MkAbs("ca.pem"), caPEM, 0o644); err != nil {
		ts.Fatalf("postgres: %v", err)
	}
	leaf := cfg.Certificates[0]
	keyDER, err := x509.MarshalECPrivateKey(leaf.PrivateKey.(*ecdsa.PrivateKey))
	if err != nil {
		ts.Fatalf("postgres: %v", err)
	}
	crt := write("server.crt", string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Certificate[0]})), 0o600)
	key := write("server.key", string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})), 0o600)

	port := freePort(ts)
	cmd := command(postgres, "-D", data, "-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200",
		"-c", "ssl=on", "-c", "ssl_cert_file="+crt, "-c", "ssl_key_file="+key)
	logf, _ := os.Create(filepath.Join(dir, "server.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		ts.Fatalf("postgres: %v", err)
	}
	ts.Defer(func() {
		cmd.Process.Signal(syscall.SIGINT) // fast shutdown
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		logf.Close()
	})

	// Ready once the superuser gets in; then the md5 user is made.
	url := "postgres://" + pgUser + ":" + pgPassword + "@127.0.0.1:" + strconv.Itoa(port) + "/postgres?sslmode=disable"
	var conn *pgconn.PgConn
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err = pgconn.Connect(ctx, url)
		cancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "server.log"))
			ts.Fatalf("postgres did not start: %v\n%s", err, log)
		}
	}
	defer conn.Close(context.Background())
	setup := "SET password_encryption = 'md5'; CREATE ROLE " + pgMD5User + " LOGIN PASSWORD '" + pgMD5Password + "'"
	if _, err := conn.Exec(context.Background(), setup).ReadAll(); err != nil {
		ts.Fatalf("postgres setup: %v", err)
	}
	for k, v := range map[string]string{"PG_USER": pgUser, "PG_PASSWORD": pgPassword,
		"PG_MD5_USER": pgMD5User, "PG_MD5_PASSWORD": pgMD5Password, "PG_DATABASE": "postgres", "PG_PORT": strconv.Itoa(port),
		"PG_SOCKET": filepath.Join(dir, ".s.PGSQL."+strconv.Itoa(port))} {
		ts.Setenv(k, v)
	}
	return port
}
