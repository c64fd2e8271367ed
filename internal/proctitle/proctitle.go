package proctitle

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// area is the memory that holds the arguments (and the environment), in
// this process's /proc/self/mem.
type area struct {
	mem      *os.File
	start    int64
	size     int
	progname string
	cmdline  string
}

var (
	mu      sync.Mutex
	current *area
)

// Init prepares the argument area for Set. It must run before anything
// keeps a substring of os.Args (flag parsing, configuration). Calling it
// again does nothing.
func Init() error {
	mu.Lock()
	defer mu.Unlock()
	if current != nil {
		return nil
	}
	a, err := initArea()
	if err != nil {
		return fmt.Errorf("proctitle: %w", err)
	}
	current = a
	return nil
}

func initArea() (*area, error) {
	if len(os.Args) == 0 {
		return nil, errors.New("no arguments")
	}
	stat, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return nil, err
	}
	// The fields after the command name in parentheses: the third is the
	// state; arg_start … env_end are the 48th to 51st.
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return nil, errors.New("malformed /proc/self/stat")
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 49 {
		return nil, errors.New("/proc/self/stat has no argument addresses (kernel before 3.5)")
	}
	var addr [4]int64
	for j := range addr {
		if addr[j], err = strconv.ParseInt(f[45+j], 10, 64); err != nil {
			return nil, fmt.Errorf("/proc/self/stat: %w", err)
		}
	}
	argStart, argEnd, envStart, envEnd := addr[0], addr[1], addr[2], addr[3]
	mem, err := os.OpenFile("/proc/self/mem", os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	// Check that the memory holds NUL-terminated arguments, as the kernel
	// laid them out, before writing anything there. (os.Args may have
	// been changed since: titles use it, not the memory's contents.)
	got := make([]byte, argEnd-argStart)
	if _, err := mem.ReadAt(got, argStart); err != nil || len(got) < 2 || got[0] == 0 || got[len(got)-1] != 0 {
		mem.Close()
		return nil, errors.New("the argument area does not hold the arguments")
	}
	for k, s := range os.Args {
		os.Args[k] = strings.Clone(s)
	}
	end := argEnd
	if envStart == argEnd && envEnd > envStart && detachEnvironment() {
		end = envEnd
	}
	return &area{
		mem:      mem,
		start:    argStart,
		size:     int(end - argStart),
		progname: filepath.Base(os.Args[0]),
		cmdline:  strings.Join(os.Args, " "),
	}, nil
}

// detachEnvironment sets every variable again: Go keeps copies of the
// environment, and with cgo, setenv(3) gives the C library's environ a new
// string for each. It reports false if a variable could not be set (the
// area then stops at the arguments).
func detachEnvironment() bool {
	for _, kv := range os.Environ() {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" || os.Setenv(k, v) != nil {
			return false
		}
	}
	return true
}

// Set makes the title "progname: " followed by the formatted text, where
// progname is argv[0]'s base name (pqsshd, pqsshd-session). Control
// characters are written as C escapes, as OpenSSH's strnvis does.
func Set(format string, args ...any) {
	mu.Lock()
	defer mu.Unlock()
	if current == nil {
		return
	}
	title := escape(current.progname + ": " + fmt.Sprintf(format, args...))
	buf := make([]byte, current.size)
	copy(buf[:len(buf)-1], title)
	current.mem.WriteAt(buf, current.start)
}

// CommandLine is the command line the process started with, its arguments
// joined by spaces (the listener's title starts with it), or os.Args
// joined so before Init.
func CommandLine() string {
	mu.Lock()
	defer mu.Unlock()
	if current == nil {
		return strings.Join(os.Args, " ")
	}
	return current.cmdline
}

// escape writes backslash, newline, tab and other control or non-ASCII
// bytes as C escapes.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b.WriteString(`\\`)
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t':
			b.WriteString(`\t`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&b, `\%03o`, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
