package loginrec

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLoginLogout writes a login and a logout into empty record files and
// reads them back; glibc's reader (who(1) on the file) lists the login
// while it is open and not after the logout; lastlog holds the entry at
// uid × 292.
func TestLoginLogout(t *testing.T) {
	if !Supported {
		t.Fatal("no glibc utmp layout for this architecture")
	}
	dir := t.TempDir()
	f := Files{Utmp: filepath.Join(dir, "utmp"), Wtmp: filepath.Join(dir, "wtmp"), Lastlog: filepath.Join(dir, "lastlog")}
	for _, p := range []string{f.Utmp, f.Wtmp, f.Lastlog} {
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Unix(1796000000, 0)
	r := Record{User: "alice", UID: 3, PID: 4242, Line: "/dev/pts/7", Host: "192.0.2.9", Time: now}
	other := Record{User: "bob", UID: 4, PID: 4343, Line: "/dev/pts/8", Host: "2001:db8::1", Time: now}
	if err := f.Login(r); err != nil {
		t.Fatal(err)
	}
	if err := f.Login(other); err != nil {
		t.Fatal(err)
	}
	who, err := exec.Command("who", f.Utmp).Output()
	if err != nil {
		t.Fatalf("who: %v", err)
	}
	if !strings.Contains(string(who), "alice") || !strings.Contains(string(who), "pts/7") || !strings.Contains(string(who), "(192.0.2.9)") {
		t.Fatalf("who lists:\n%s\nwant alice on pts/7 from 192.0.2.9", who)
	}
	if err := f.Logout(r); err != nil {
		t.Fatal(err)
	}
	who, _ = exec.Command("who", f.Utmp).Output()
	if strings.Contains(string(who), "alice") || !strings.Contains(string(who), "bob") {
		t.Fatalf("after alice's logout who lists:\n%s", who)
	}
	u, err := Read(f.Utmp)
	if err != nil || len(u) != 2 || u[0].Type != typeDead || u[0].Line != "pts/7" || u[1].User != "bob" {
		t.Fatalf("utmp %+v (%v): want alice's entry reused as dead, then bob's", u, err)
	}
	w, err := Read(f.Wtmp)
	if err != nil || len(w) != 3 || w[0].User != "alice" || w[0].PID != 4242 || !w[0].Time.Equal(now) || w[2].Type != typeDead || w[2].Line != "pts/7" {
		t.Fatalf("wtmp %+v (%v): want alice's login, bob's, alice's logout", w, err)
	}
	ll, _ := os.ReadFile(f.Lastlog)
	if len(ll) != 5*lastlogSize || !strings.HasPrefix(string(ll[3*lastlogSize+4:]), "pts/7") || !strings.HasPrefix(string(ll[3*lastlogSize+36:]), "192.0.2.9") {
		t.Fatalf("lastlog: %d bytes, want bob's entry to end it at uid 4 and alice's at uid 3", len(ll))
	}
}
