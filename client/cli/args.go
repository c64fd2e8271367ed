package cli

import (
	"fmt"
	"strings"

	"github.com/pqssh/pqssh/client/config"
)

// flagsWithArg are ssh(1)'s options that take an argument.
const flagsWithArg = "BDEFIJLOPQRSWbceilmopw"

// flagsNoArg are ssh(1)'s options without an argument.
const flagsNoArg = "1246AaCfGgKkMNnqsTtVvXxYy"

// args is the parsed command line.
type args struct {
	options     []string // -o lines, in order, with the flags turned into options
	configFile  string
	destination string
	command     []string
	verbose     int
	quiet       bool
	tty         int // number of -t
	noTTY       bool
	dumpConfig  bool // -G
	version     bool // -V
	query       string
	stdioFwd    string // -W host:port
	logFile     string // -E
	subsystem   bool   // -s
	noCommand   bool   // -N
	control     string // -O
	masterFlags int    // -M count
	// overrides are the flags ssh(1) assigns directly rather than as
	// first-obtained configuration values (-A/-a, -C, -f, -g, -N, -n, -s,
	// -X/-x, -4/-6, -c, -e, -m): they beat any -o or file setting, the last
	// such flag winning, so -o ForwardAgent=yes -a forwards no agent.
	overrides []string
}

// usage is ssh(1)'s synopsis for pqssh.
const usage = `usage: pqssh [-46AaCfGgKkMNnqsTtVvXxYy] [-B bind_interface] [-b bind_address]
           [-c cipher_spec] [-D [bind_address:]port] [-E log_file]
           [-e escape_char] [-F configfile] [-I pkcs11] [-i identity_file]
           [-J destination] [-L address] [-l login_name] [-m mac_spec]
           [-O ctl_cmd] [-o option] [-P tag] [-p port] [-Q query_option]
           [-R address] [-S ctl_path] [-W host:port] [-w local_tun[:remote_tun]]
           destination [command [argument ...]]`

// parseArgs parses ssh(1)'s command line: getopt-style clustered flags,
// then the destination, then (as ssh does) more options up to the first
// non-option, then the command.
func parseArgs(argv []string) (*args, error) {
	a := &args{}
	i := 0
	for i < len(argv) {
		s := argv[i]
		if s == "--" {
			i++
			if a.destination == "" && i < len(argv) {
				a.destination = argv[i]
				i++
			}
			break
		}
		if len(s) < 2 || s[0] != '-' {
			if a.destination != "" {
				break
			}
			a.destination = s
			i++
			continue
		}
		i++
		for j := 1; j < len(s); j++ {
			c := s[j]
			if strings.IndexByte(flagsWithArg, c) >= 0 {
				val := s[j+1:]
				if val == "" {
					if i >= len(argv) {
						return nil, fmt.Errorf("option requires an argument -- %c", c)
					}
					val = argv[i]
					i++
				}
				if err := a.setArg(c, val); err != nil {
					return nil, err
				}
				break
			}
			if strings.IndexByte(flagsNoArg, c) < 0 {
				return nil, fmt.Errorf("unknown option -- %c", c)
			}
			a.setFlag(c)
		}
	}
	a.command = argv[i:]
	a.options = append(a.overrides, a.options...)
	return a, nil
}

func (a *args) opt(format string, v ...any) {
	a.options = append(a.options, fmt.Sprintf(format, v...))
}

// override records a flag ssh(1) assigns directly: it replaces an earlier
// flag for the same keyword and is placed before every -o line.
func (a *args) override(keyword, format string, v ...any) {
	line := keyword + " " + fmt.Sprintf(format, v...)
	for i, o := range a.overrides {
		if strings.HasPrefix(o, keyword+" ") {
			a.overrides = append(a.overrides[:i], a.overrides[i+1:]...)
			break
		}
	}
	a.overrides = append([]string{line}, a.overrides...)
}

func (a *args) setFlag(c byte) {
	switch c {
	case '4':
		a.override("AddressFamily", "inet")
	case '6':
		a.override("AddressFamily", "inet6")
	case 'A':
		a.override("ForwardAgent", "yes")
	case 'a':
		a.override("ForwardAgent", "no")
	case 'C':
		a.override("Compression", "yes")
	case 'f':
		a.override("ForkAfterAuthentication", "yes")
	case 'G':
		a.dumpConfig = true
	case 'g':
		a.override("GatewayPorts", "yes")
	case 'M':
		// ssh(1): -M once is ControlMaster yes, twice ask.
		a.masterFlags++
		if a.masterFlags == 1 {
			a.override("ControlMaster", "yes")
		} else {
			a.override("ControlMaster", "ask")
		}
	case 'N':
		a.noCommand = true
		a.override("SessionType", "none")
	case 'n':
		a.override("StdinNull", "yes")
	case 'q':
		a.quiet = true
	case 's':
		a.subsystem = true
		a.override("SessionType", "subsystem")
	case 'T':
		a.noTTY = true
		a.opt("RequestTTY no")
	case 't':
		a.tty++
		if a.tty == 1 {
			a.opt("RequestTTY yes")
		} else {
			a.options = append([]string{"RequestTTY force"}, a.options...)
		}
	case 'V':
		a.version = true
	case 'v':
		a.verbose++
	case 'X', 'Y':
		a.override("ForwardX11", "yes")
	case 'x':
		a.override("ForwardX11", "no")
	case '1', '2', 'K', 'k', 'y':
		// -1: protocol 1 is gone; -2: always; -K/-k: GSSAPI; -y: syslog.
	}
}

func (a *args) setArg(c byte, v string) error {
	switch c {
	case 'B':
		// BindInterface is not implemented: the option warns once.
		a.opt("BindInterface %s", quote(v))
	case 'b':
		a.opt("BindAddress %s", quote(v))
	case 'c':
		a.override("Ciphers", "%s", quote(v))
	case 'D':
		f, err := config.ParseForward('D', v)
		if err != nil {
			return err
		}
		a.opt("DynamicForward %s", quote(f.Listen()))
	case 'E':
		a.logFile = v
	case 'e':
		a.override("EscapeChar", "%s", quote(v))
	case 'F':
		a.configFile = v
	case 'I':
		// PKCS11Provider is not implemented: the option warns once.
		a.opt("PKCS11Provider %s", quote(v))
	case 'i':
		a.opt("IdentityFile %s", quote(v))
	case 'J':
		a.opt("ProxyJump %s", quote(v))
	case 'L', 'R':
		f, err := config.ParseForward(c, v)
		if err != nil {
			return err
		}
		kw := "LocalForward"
		if c == 'R' {
			kw = "RemoteForward"
		}
		if f.IsDynamic() {
			a.opt("%s %s", kw, quote(f.Listen()))
		} else {
			a.opt("%s %s %s", kw, quote(f.Listen()), quote(f.Connect()))
		}
	case 'l':
		a.opt("User %s", quote(v))
	case 'm':
		a.override("MACs", "%s", quote(v))
	case 'O':
		a.control = v
	case 'o':
		a.options = append(a.options, v)
	case 'P':
		a.opt("Tag %s", quote(v))
	case 'p':
		a.opt("Port %s", quote(v))
	case 'Q':
		a.query = v
	case 'S':
		a.override("ControlPath", "%s", quote(v))
	case 'W':
		a.stdioFwd = v
		a.opt("ClearAllForwardings yes")
		a.opt("RequestTTY no")
		a.opt("SessionType none")
	case 'w':
		return fmt.Errorf("-w: tun forwarding is not supported by pqssh")
	}
	return nil
}

// quote makes v one ssh_config argument.
func quote(v string) string {
	if v != "" && !strings.ContainsAny(v, " \t\"'#") {
		return v
	}
	return `"` + strings.ReplaceAll(strings.ReplaceAll(v, `\`, `\\`), `"`, `\"`) + `"`
}
