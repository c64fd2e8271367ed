//go:build root

package server

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pqssh/pqssh/server/loginrec"
)

// TestLoginRecords: a terminal session is in utmp while it runs (with the
// user, its pts line and the client's address), dead there after it, and
// wtmp has its login and logout; a session without a terminal writes
// nothing.
func TestLoginRecords(t *testing.T) {
	needRoot(t)
	name, _ := testAccount(t)
	e := startServer(t, "", "")
	dir := t.TempDir()
	e.srv.loginFiles = loginrec.Files{Utmp: filepath.Join(dir, "utmp"), Wtmp: filepath.Join(dir, "wtmp"), Lastlog: filepath.Join(dir, "lastlog")}
	for _, p := range []string{e.srv.loginFiles.Utmp, e.srv.loginFiles.Wtmp, e.srv.loginFiles.Lastlog} {
		os.WriteFile(p, nil, 0o644)
	}
	e.authorizeHome(name, "", e.key.PublicKey())
	c, err := e.dial(name, e.key)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := run(t, c, "true"); err != nil {
		t.Fatal(err)
	}
	if w, _ := loginrec.Read(e.srv.loginFiles.Wtmp); len(w) != 0 {
		t.Fatalf("a session without a terminal wrote wtmp: %+v", w)
	}
	s, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.RequestPty("xterm", 24, 80, nil); err != nil {
		t.Fatal(err)
	}
	stdin, _ := s.StdinPipe()
	out := &syncBuffer{}
	s.Stdout = out
	if err := s.Start("tty; read x"); err != nil {
		t.Fatal(err)
	}
	out.waitLog(t, "/dev/pts/")
	tty := strings.TrimSpace(out.String())
	u, err := loginrec.Read(e.srv.loginFiles.Utmp)
	if err != nil || len(u) != 1 || u[0].Type != 7 || u[0].User != name || "/dev/"+u[0].Line != tty || u[0].Host != "127.0.0.1" {
		t.Fatalf("utmp while the session runs on %s: %+v (%v)", tty, u, err)
	}
	stdin.Write([]byte("\n"))
	s.Wait()
	for i := 0; ; i++ { // the logout is written once the program has exited
		u, _ = loginrec.Read(e.srv.loginFiles.Utmp)
		if len(u) == 1 && u[0].Type == 8 {
			break
		}
		if i == 1000 {
			t.Fatalf("utmp after the session: %+v, want its entry dead", u)
		}
		time.Sleep(10 * time.Millisecond)
	}
	w, _ := loginrec.Read(e.srv.loginFiles.Wtmp)
	if len(w) != 2 || w[0].User != name || w[1].Type != 8 || w[1].Line != w[0].Line {
		t.Fatalf("wtmp %+v: want the login and the logout", w)
	}
}
