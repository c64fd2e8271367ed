// Command pqssh-keygen makes, converts and inspects SSH keys and
// certificates in OpenSSH's file formats, post-quantum ones included, with
// ssh-keygen(1)'s flags and messages. Key types: ed25519, ecdsa, rsa,
// mldsa44-ed25519 (OpenSSH 10.6's ssh-mldsa44-ed25519, the default),
// mldsa-44, mldsa-65, mldsa-87 (draft-sfluhrer-ssh-mldsa).
//
//	pqssh-keygen [-q] [-a rounds] [-b bits] [-C comment] [-f file] [-m format] [-N new_passphrase] [-t type]
//	pqssh-keygen -p [-a rounds] [-f file] [-N new_passphrase] [-P old_passphrase]
//	pqssh-keygen -y [-f input_keyfile] [-P passphrase]
//	pqssh-keygen -l [-v] [-E fingerprint_hash] [-f input_keyfile]
//	pqssh-keygen -e [-f input_keyfile] [-m key_format]
//	pqssh-keygen -i [-f input_keyfile] [-m key_format]
//	pqssh-keygen -s ca_key -I certificate_identity [-h] [-n principals] [-O option] [-V validity_interval] [-z serial_number] file ...
//	pqssh-keygen -L [-f input_keyfile]
//	pqssh-keygen -F hostname [-lv] [-f known_hosts_file]
//	pqssh-keygen -H [-f known_hosts_file]
//	pqssh-keygen -R hostname [-f known_hosts_file]
//	pqssh-keygen -Y sign -f key_file -n namespace file ...
//	pqssh-keygen -Y verify -f allowed_signers_file -I signer_identity -n namespace -s signature_file
//	pqssh-keygen -Y check-novalidate -n namespace -s signature_file
//	pqssh-keygen -Y find-principals -f allowed_signers_file -s signature_file
//
// docs/auth.md describes each mode and where pqssh-keygen differs from
// ssh-keygen.
package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"
)

// usageText is ssh-keygen's usage, restricted to what pqssh-keygen does.
const usageText = `usage: pqssh-keygen [-q] [-a rounds] [-b bits] [-C comment] [-f output_keyfile]
                  [-m format] [-N new_passphrase] [-t ed25519 | ecdsa | rsa |
                  mldsa44-ed25519 | mldsa-44 | mldsa-65 | mldsa-87]
       pqssh-keygen -p [-a rounds] [-f keyfile] [-N new_passphrase]
                   [-P old_passphrase]
       pqssh-keygen -y [-f input_keyfile] [-P passphrase]
       pqssh-keygen -l [-v] [-E fingerprint_hash] [-f input_keyfile]
       pqssh-keygen -e [-f input_keyfile] [-m key_format]
       pqssh-keygen -i [-f input_keyfile] [-m key_format]
       pqssh-keygen -s ca_key -I certificate_identity [-h] [-n principals]
                   [-O option] [-V validity_interval] [-z serial_number] file ...
       pqssh-keygen -L [-f input_keyfile]
       pqssh-keygen -F hostname [-lv] [-f known_hosts_file]
       pqssh-keygen -H [-f known_hosts_file]
       pqssh-keygen -R hostname [-f known_hosts_file]
       pqssh-keygen -Y sign -f key_file -n namespace file ...
       pqssh-keygen -Y verify -f allowed_signers_file -I signer_identity
                   -n namespace -s signature_file
       pqssh-keygen -Y check-novalidate -n namespace -s signature_file
       pqssh-keygen -Y find-principals -f allowed_signers_file -s signature_file
`

// opts holds the parsed command line.
type opts struct {
	flags map[byte]bool     // flags without an argument that were given
	val   map[byte]string   // the last argument of each option that takes one
	multi map[byte][]string // every argument of -O
	args  []string          // operands
}

func (o *opts) has(c byte) bool { _, ok := o.val[c]; return ok || o.flags[c] }

// withArg lists ssh-keygen's options that take an argument.
const withArg = "CEFINOPRVYabfmnstz"

// withoutArg lists the flags pqssh-keygen knows.
const withoutArg = "HLeilpqhvy"

// parseArgs is getopt(3) over ssh-keygen's option letters: grouped flags
// (-lvf FILE), attached arguments (-fFILE), "--", options before operands.
func parseArgs(args []string) (*opts, error) {
	o := &opts{flags: map[byte]bool{}, val: map[byte]string{}, multi: map[byte][]string{}}
	i := 0
	for ; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			i++
			break
		}
		if len(a) < 2 || a[0] != '-' {
			break
		}
		for j := 1; j < len(a); j++ {
			c := a[j]
			switch {
			case strings.IndexByte(withArg, c) >= 0:
				var v string
				if j+1 < len(a) {
					v = a[j+1:]
				} else if i+1 < len(args) {
					i++
					v = args[i]
				} else {
					return nil, fmt.Errorf("option requires an argument -- %c", c)
				}
				o.val[c] = v
				o.multi[c] = append(o.multi[c], v)
				j = len(a)
			case strings.IndexByte(withoutArg, c) >= 0:
				o.flags[c] = true
			default:
				return nil, fmt.Errorf("unknown option -- %c", c)
			}
		}
	}
	o.args = args[i:]
	return o, nil
}

// env is the process's outside world, replaced in tests.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// readPass prompts for a passphrase without echo.
	readPass func(prompt string) ([]byte, error)
	// in reads answers to visible prompts (file names, y/n).
	in *bufio.Reader
}

// readLine prompts on stdout and reads a line from stdin.
func (e *env) readLine(prompt string) (string, error) {
	fmt.Fprint(e.stdout, prompt)
	if e.in == nil {
		if e.stdin == nil {
			return "", io.EOF
		}
		e.in = bufio.NewReader(e.stdin)
	}
	l, err := e.in.ReadString('\n')
	if err != nil && l == "" {
		return "", err
	}
	return strings.TrimRight(l, "\r\n"), nil
}

// ttyPass reads a passphrase from the terminal without echo, or a line from
// stdin when there is no terminal; with neither it is empty, as ssh-keygen
// run without a terminal makes an unencrypted key.
func ttyPass(stdin io.Reader, stderr io.Writer) func(string) ([]byte, error) {
	var in *bufio.Reader
	return func(prompt string) ([]byte, error) {
		if tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err == nil {
			defer tty.Close()
			fmt.Fprint(tty, prompt)
			p, err := term.ReadPassword(int(tty.Fd()))
			fmt.Fprintln(tty)
			return p, err
		}
		fmt.Fprint(stderr, prompt)
		if in == nil {
			in = bufio.NewReader(stdin)
		}
		l, err := in.ReadString('\n')
		if err != nil && l == "" {
			return nil, nil
		}
		return []byte(strings.TrimRight(l, "\r\n")), nil
	}
}

// exitError carries a status without a message (ssh-keygen -F not finding
// the host exits 1 quietly).
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// logit writes a message as OpenSSH's log functions do on stderr (ending
// in CR LF).
func logit(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, format+"\r\n", args...)
}

func main() {
	e := &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}
	e.readPass = ttyPass(os.Stdin, os.Stderr)
	if err := run(os.Args[1:], e); err != nil {
		var st exitError
		if errors.As(err, &st) {
			os.Exit(int(st))
		}
		logit(os.Stderr, "%v", err)
		os.Exit(255)
	}
}

func run(args []string, e *env) error {
	o, err := parseArgs(args)
	if err != nil {
		fmt.Fprintf(e.stderr, "pqssh-keygen: %v\n%s", err, usageText)
		return exitError(1)
	}
	if o.has('s') && !o.has('Y') {
		return signCerts(o, e)
	}
	switch {
	case o.has('Y'):
		return sigMode(o, e)
	case o.flags['L']:
		return showCerts(o, e)
	case o.has('F'), o.has('R'), o.flags['H']:
		return knownHostsMode(o, e)
	case o.flags['p']:
		return changePassphrase(o, e)
	case o.flags['y']:
		return printPublic(o, e)
	case o.flags['e']:
		return exportKey(o, e)
	case o.flags['i']:
		return importKey(o, e)
	case o.flags['l']:
		return fingerprints(o, e)
	}
	if len(o.args) > 0 {
		fmt.Fprint(e.stderr, usageText)
		return exitError(1)
	}
	return generate(o, e)
}
