package cli

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
)

// waitSocket waits until a control socket exists at path (or the master
// reported failure on done).
func waitSocket(t *testing.T, path string, done <-chan result) {
	t.Helper()
	for i := 0; i < 600; i++ {
		if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
			return
		}
		select {
		case r := <-done:
			t.Fatalf("master exited: %v", r)
		case <-time.After(50 * time.Millisecond):
		}
	}
	t.Fatalf("no control socket at %s", path)
}

// startMaster runs "pqssh -M -S path -N test" in-process.
func startMaster(t *testing.T, f *fixture, extra ...string) (string, <-chan result) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ctl")
	done := make(chan result, 1)
	args := append([]string{"-M", "-S", path, "-N"}, extra...)
	go func() { done <- f.run(nil, append(args, "test")...) }()
	waitSocket(t, path, done)
	t.Cleanup(func() {
		if _, err := os.Lstat(path); err != nil {
			return // the test stopped it
		}
		f.run(nil, "-S", path, "-O", "exit", "test")
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("master did not exit")
		}
	})
	return path, done
}

func TestMuxPqsshOverPqsshMaster(t *testing.T) {
	f := newFixture(t, "SendEnv MUXT_*")
	path, done := startMaster(t, f)
	for i := 0; i < 3; i++ {
		r := f.run(strings.NewReader("in\n"), "-S", path, "test", "cat; echo out; echo err >&2; exit 4")
		if r.code != 4 || r.stdout != "in\nout\n" || !strings.Contains(r.stderr, "err\n") {
			t.Fatalf("session %d through the master: %v", i, r)
		}
	}
	// ControlMaster auto finds the master too.
	r := f.run(nil, "-o", "ControlMaster=auto", "-o", "ControlPath="+path, "test", "echo auto")
	if r.code != 0 || r.stdout != "auto\n" {
		t.Fatalf("ControlMaster auto: %v", r)
	}
	// A subsystem through the master.
	if n := f.srv.Conns(); n != 1 {
		t.Errorf("the server saw %d connections, want 1 (the master's)", n)
	}
	r = f.run(nil, "-S", path, "-O", "check", "test")
	if r.code != 0 || !strings.Contains(r.stderr, "Master running (pid="+itoa(os.Getpid())+")") {
		t.Fatalf("-O check: %v", r)
	}
	r = f.run(nil, "-S", path, "-O", "exit", "test")
	if r.code != 0 || !strings.Contains(r.stderr, "Exit request sent.") {
		t.Fatalf("-O exit: %v", r)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("master still running after -O exit")
	}
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Errorf("control socket left behind: %v", err)
	}
	r = f.run(nil, "-S", path, "-O", "check", "test")
	if r.code != exitError || !strings.Contains(r.stderr, "Control socket connect("+path+"): No such file or directory") {
		t.Errorf("-O check without a master: %v", r)
	}
}

func TestMuxControlCommandsNeedPath(t *testing.T) {
	f := newFixture(t)
	r := f.run(nil, "-O", "check", "test")
	if r.code != exitError || !strings.Contains(r.stderr, `No ControlPath specified for "-O" command`) {
		t.Errorf("-O without ControlPath: %v", r)
	}
	r = f.run(nil, "-S", "/tmp/x", "-O", "bogus", "test")
	if r.code != exitError || !strings.Contains(r.stderr, "Invalid multiplex command.") {
		t.Errorf("-O bogus: %v", r)
	}
}

func TestMuxStaleSocketFallsBack(t *testing.T) {
	f := newFixture(t)
	path := filepath.Join(t.TempDir(), "ctl")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close() // a socket file nobody listens on
	r := f.run(nil, "-o", "ControlPath="+path, "test", "echo direct")
	if r.code != 0 || r.stdout != "direct\n" || f.srv.Conns() != 1 {
		t.Fatalf("ControlMaster no with a stale socket: %v (conns %d)", r, f.srv.Conns())
	}
	if _, err := os.Lstat(path); err != nil {
		t.Errorf("ControlMaster no removed the stale socket: %v", err)
	}
	// auto removes the stale socket and becomes the master.
	done := make(chan result, 1)
	go func() { done <- f.run(nil, "-o", "ControlMaster=auto", "-o", "ControlPath="+path, "-N", "test") }()
	waitSocket(t, path, done)
	for i := 0; i < 100; i++ {
		if r := f.run(nil, "-S", path, "-O", "check", "test"); r.code == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	r = f.run(nil, "-S", path, "test", "echo shared")
	if r.code != 0 || r.stdout != "shared\n" || f.srv.Conns() != 2 {
		t.Fatalf("through the auto master: %v (conns %d)", r, f.srv.Conns())
	}
	f.run(nil, "-S", path, "-O", "exit", "test")
	<-done
}

func TestMuxExistingSocketDisablesMaster(t *testing.T) {
	f := newFixture(t)
	path, _ := startMaster(t, f)
	r := f.run(nil, "-M", "-S", path, "test", "echo own")
	if r.code != 0 || r.stdout != "own\n" || !strings.Contains(r.stderr, "ControlSocket "+path+" already exists, disabling multiplexing") {
		t.Fatalf("second master: %v", r)
	}
}

func TestMuxDumpConfig(t *testing.T) {
	f := newFixture(t, "ControlMaster auto", "ControlPath ~/.ssh/cm-%r@%h:%p", "ControlPersist 10m")
	r := f.run(nil, "-G", "test")
	for _, want := range []string{"controlmaster auto\n", "controlpath " + f.home + "/.ssh/cm-tester@127.0.0.1:" + itoa(f.srv.Port()) + "\n", "controlpersist 600\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("-G lacks %q:\n%s", want, r.stdout)
		}
	}
	r = f.run(nil, "-G", "-S", "none", "-M", "-M", "test")
	if strings.Contains(r.stdout, "controlpath") || !strings.Contains(r.stdout, "controlmaster ask\n") {
		t.Errorf("-S none -M -M:\n%s", r.stdout)
	}
	r = f.run(nil, "-G", "-o", "ControlPersist=sometimes", "test")
	if r.code == 0 {
		t.Errorf("bad ControlPersist accepted: %v", r)
	}
}

// OpenSSH's ssh, scp and sftp use a pqssh master: the test server sees
// only the master's connection.
func TestMuxOpenSSHClientsOverPqsshMaster(t *testing.T) {
	ssh := needTool(t, "ssh")
	scp := needTool(t, "scp")
	sftp := needTool(t, "sftp")
	f := newFixture(t)
	path, _ := startMaster(t, f, "-o", "LogLevel=DEBUG1", "-E", filepath.Join(f.home, "master.log"))
	// OpenSSH never reads our config: with -S and ControlMaster=no it
	// only talks to the master.
	o := []string{"-F", "/dev/null", "-o", "ControlMaster=no", "-o", "ControlPath=" + path}
	out := runTool(t, nil, ssh, append(o, "anyhost", "echo hello; exit 0")...)
	if out != "hello\n" {
		t.Fatalf("ssh through pqssh's master: %q", out)
	}
	cmd := exec.Command(ssh, append(o, "anyhost", "exit 9")...)
	if err := cmd.Run(); cmd.ProcessState.ExitCode() != 9 {
		t.Fatalf("exit status through the master: %v", err)
	}
	dir := t.TempDir()
	src, data := randomFile(t, dir, 300<<10)
	dst := filepath.Join(dir, "copy.bin")
	runTool(t, nil, scp, append(o, src, "anyhost:"+dst)...)
	got, err := os.ReadFile(dst)
	if err != nil || string(got) != string(data) {
		t.Fatalf("scp through pqssh's master: %v, %d bytes", err, len(got))
	}
	back := filepath.Join(dir, "back.bin")
	sftpCmd := exec.Command(sftp, append(append([]string{"-b", "-"}, o...), "anyhost")...)
	sftpCmd.Stdin = strings.NewReader("get " + dst + " " + back + "\n")
	if out, err := sftpCmd.CombinedOutput(); err != nil {
		t.Fatalf("sftp through pqssh's master: %v\n%s", err, out)
	}
	if got, _ := os.ReadFile(back); string(got) != string(data) {
		t.Fatal("sftp copy differs")
	}
	out = runTool(t, nil, ssh, append(o, "-O", "check", "anyhost")...)
	if !strings.Contains(out, "Master running (pid="+itoa(os.Getpid())+")") {
		t.Fatalf("ssh -O check: %q", out)
	}
	// -O forward: a local forwarding opened in the master.
	target, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	go func() {
		c, err := target.Accept()
		if err == nil {
			c.Write([]byte("via-forward"))
			c.Close()
		}
	}()
	lport := freePort(t)
	runTool(t, nil, ssh, append(o, "-O", "forward", "-L", itoa(lport)+":"+target.Addr().String(), "anyhost")...)
	c, err := net.Dial("tcp", "127.0.0.1:"+itoa(lport))
	if err != nil {
		t.Fatalf("forwarded port: %v", err)
	}
	buf := make([]byte, 64)
	n, _ := readFull(c, buf)
	c.Close()
	if string(buf[:n]) != "via-forward" {
		t.Fatalf("through -O forward: %q", buf[:n])
	}
	runTool(t, nil, ssh, append(o, "-O", "cancel", "-L", itoa(lport)+":"+target.Addr().String(), "anyhost")...)
	if c, err := net.Dial("tcp", "127.0.0.1:"+itoa(lport)); err == nil {
		c.Close()
		t.Error("the forwarding is still there after -O cancel")
	}
	if n := f.srv.Conns(); n != 1 {
		t.Errorf("the server saw %d connections, want 1", n)
	}
	log, _ := os.ReadFile(filepath.Join(f.home, "master.log"))
	if got := strings.Count(string(log), "mux: client session"); got < 6 {
		t.Errorf("master log shows %d session lines, want the 3 sessions opened and closed:\n%s", got, log)
	}
}

// pqssh uses OpenSSH's master.
func TestMuxPqsshOverOpenSSHMaster(t *testing.T) {
	ssh := needTool(t, "ssh")
	f := newFixture(t)
	path := filepath.Join(t.TempDir(), "ctl")
	runTool(t, nil, ssh, "-F", f.cfg, "-M", "-S", path, "-f", "-N", "test")
	defer exec.Command(ssh, "-F", f.cfg, "-S", path, "-O", "exit", "test").Run()
	for i := 0; i < 3; i++ {
		r := f.run(strings.NewReader("abc"), "-S", path, "test", "cat; exit 5")
		if r.code != 5 || r.stdout != "abc" {
			t.Fatalf("pqssh through OpenSSH's master: %v", r)
		}
	}
	r := f.run(nil, "-S", path, "-O", "check", "test")
	if r.code != 0 || !strings.Contains(r.stderr, "Master running (pid=") {
		t.Fatalf("-O check against OpenSSH's master: %v", r)
	}
	if n := f.srv.Conns(); n != 1 {
		t.Errorf("the server saw %d connections, want 1 (OpenSSH's master)", n)
	}
	r = f.run(nil, "-S", path, "-O", "exit", "test")
	if r.code != 0 {
		t.Fatalf("-O exit to OpenSSH's master: %v", r)
	}
}

// ControlPersist keeps the master after the first client exits.
func TestMuxControlPersist(t *testing.T) {
	bin := pqsshBinary(t)
	f := newFixture(t)
	path := filepath.Join(t.TempDir(), "ctl")
	opts := []string{"-F", f.cfg, "-o", "ControlMaster=auto", "-o", "ControlPath=" + path, "-o", "ControlPersist=yes"}
	// run returns stdout and stderr.
	run := func(args ...string) (string, string, int) {
		cmd := exec.Command(bin, append(opts, args...)...)
		errf, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
		if err != nil {
			t.Fatal(err)
		}
		defer errf.Close()
		cmd.Stderr = errf
		out, _ := cmd.Output()
		msg, _ := os.ReadFile(errf.Name())
		return string(out), string(msg), cmd.ProcessState.ExitCode()
	}
	defer exec.Command(bin, "-S", path, "-O", "exit", "test").Run()
	if out, msg, code := run("test", "echo first; exit 3"); out != "first\n" || code != 3 {
		t.Fatalf("first client: %q, exit %d, %s", out, code, msg)
	}
	if _, err := os.Lstat(path); err != nil {
		t.Fatalf("the master did not persist: %v", err)
	}
	_, msg, code := run("-O", "check", "test")
	if code != 0 || !strings.Contains(msg, "Master running") {
		t.Fatalf("-O check after the first client: %q %d", msg, code)
	}
	if out, msg, code := run("test", "echo second"); out != "second\n" || code != 0 {
		t.Fatalf("second client: %q, exit %d, %s", out, code, msg)
	}
	if n := f.srv.Conns(); n != 1 {
		t.Errorf("the server saw %d connections, want 1", n)
	}
	if _, msg, code := run("-O", "exit", "test"); code != 0 {
		t.Fatalf("-O exit: %q", msg)
	}
	for i := 0; i < 100; i++ {
		if _, err := os.Lstat(path); os.IsNotExist(err) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Error("the persistent master kept its socket after -O exit")
}

func readFull(c net.Conn, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := c.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// -W through a master: OpenSSH's ssh and pqssh send MUX_C_NEW_STDIO_FWD.
func TestMuxStdioForward(t *testing.T) {
	ssh := needTool(t, "ssh")
	f := newFixture(t)
	path, _ := startMaster(t, f)
	port := echoServer(t)
	target := "127.0.0.1:" + itoa(port)
	r := f.run(strings.NewReader("ping\n"), "-S", path, "-W", target, "test")
	if r.code != 0 || r.stdout != "echo:ping\n" {
		t.Fatalf("pqssh -W through the master: %v", r)
	}
	cmd := exec.Command(ssh, "-F", "/dev/null", "-o", "ControlMaster=no", "-o", "ControlPath="+path, "-W", target, "anyhost")
	cmd.Stdin = strings.NewReader("pong\n")
	out, err := cmd.Output()
	if err != nil || string(out) != "echo:pong\n" {
		t.Fatalf("ssh -W through pqssh's master: %v %q", err, out)
	}
	if n := f.srv.Conns(); n != 1 {
		t.Errorf("the server saw %d connections, want 1", n)
	}
}

// ControlMaster ask: the master confirms each client session.
func TestMuxAsk(t *testing.T) {
	f := newFixture(t)
	f.prompt.answers = []string{"no", "yes", "yes"} // the last for -O exit
	path, _ := startMaster(t, f, "-M")
	r := f.run(nil, "-S", path, "test", "echo refused")
	if r.code != exitError || !strings.Contains(r.stderr, "Master refused session request: Permission denied") {
		t.Fatalf("refused session: %v", r)
	}
	r = f.run(nil, "-S", path, "test", "echo allowed")
	if r.code != 0 || r.stdout != "allowed\n" {
		t.Fatalf("allowed session: %v", r)
	}
	f.prompt.mu.Lock()
	asked := strings.Join(f.prompt.asked, "|")
	f.prompt.mu.Unlock()
	if strings.Count(asked, "Allow shared connection to test? ") != 2 {
		t.Errorf("prompts: %q", asked)
	}
}

// A terminal session through the master: the master reads the client's
// terminal, relays its size on SIGWINCH and handles ~.
func TestMuxTerminalSession(t *testing.T) {
	bin := pqsshBinary(t)
	f := newFixture(t)
	path, _ := startMaster(t, f)
	cmd := exec.Command(bin, "-F", f.cfg, "-S", path, "-t", "test", "cat")
	ptmx, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 30, Cols: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer ptmx.Close()
	var outMu sync.Mutex
	var out strings.Builder
	go func() {
		buf := make([]byte, 1024)
		for {
			n, err := ptmx.Read(buf)
			outMu.Lock()
			out.Write(buf[:n])
			outMu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	waitSize := func(want [2]int) {
		t.Helper()
		for i := 0; i < 400; i++ {
			sizes := f.srv.TerminalSizes()
			if len(sizes) > 0 && sizes[len(sizes)-1] == want {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("server never saw terminal size %v: %v", want, f.srv.TerminalSizes())
	}
	waitSize([2]int{100, 30})
	ptmx.Write([]byte("typed-through\r"))
	for i := 0; i < 400; i++ {
		outMu.Lock()
		ok := strings.Contains(out.String(), "typed-through")
		outMu.Unlock()
		if ok {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: 120}); err != nil {
		t.Fatal(err)
	}
	waitSize([2]int{120, 40})
	ptmx.Write([]byte("\r~."))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 255 {
			t.Fatalf("want exit 255 after ~., got %v", err)
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("~. did not end the client session")
	}
	// The client has exited; its last line may still be in the terminal,
	// not yet read by the reader goroutine.
	var final string
	for i := 0; i < 200; i++ {
		outMu.Lock()
		final = out.String()
		outMu.Unlock()
		if strings.Contains(final, "Shared connection to test closed.") {
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	if !strings.Contains(final, "Shared connection to test closed.") {
		t.Errorf("no closing message: %q", final)
	}
	if n := f.srv.Conns(); n != 1 {
		t.Errorf("the server saw %d connections, want 1", n)
	}
}
