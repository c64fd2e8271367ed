package config

import (
	"strings"
	"testing"
)

// TestForwardSpecsOpenSSH: every form OpenSSH's parse_forward accepts for
// -L, -R and -D, Unix-domain sockets and remote dynamic forwarding
// included, and the forms it refuses (checked against ssh -G of OpenSSH
// 10.6).
func TestForwardSpecsOpenSSH(t *testing.T) {
	for _, c := range []struct {
		kind byte
		spec string
		want Forward
	}{
		{'L', "5555:/tmp/x.sock", Forward{ListenPort: 5555, ConnectPath: "/tmp/x.sock"}},
		{'L', "127.0.0.1:5556:/tmp/y.sock", Forward{ListenHost: "127.0.0.1", ListenPort: 5556, ConnectPath: "/tmp/y.sock"}},
		{'L', "/tmp/a:h:22", Forward{ListenPath: "/tmp/a", ConnectHost: "h", ConnectPort: 22}},
		{'L', "/tmp/b:/tmp/c", Forward{ListenPath: "/tmp/b", ConnectPath: "/tmp/c"}},
		{'L', "[::1]:7000:[fe80::1]:22", Forward{ListenHost: "::1", ListenPort: 7000, ConnectHost: "fe80::1", ConnectPort: 22}},
		{'L', `5555:/tmp/with\:colon`, Forward{ListenPort: 5555, ConnectPath: "/tmp/with:colon"}},
		{'L', "[/tmp/br]:h:1", Forward{ListenPath: "/tmp/br", ConnectHost: "h", ConnectPort: 1}},
		{'R', "/tmp/r:/tmp/s", Forward{ListenPath: "/tmp/r", ConnectPath: "/tmp/s"}},
		{'R', "/tmp/rr:h:80", Forward{ListenPath: "/tmp/rr", ConnectHost: "h", ConnectPort: 80}},
		{'R', "9000:/tmp/q", Forward{ListenPort: 9000, ConnectPath: "/tmp/q"}},
		{'R', "8080", Forward{ListenPort: 8080}},
		{'R', "1.2.3.4:8081", Forward{ListenHost: "1.2.3.4", ListenPort: 8081}},
		{'R', "0", Forward{}},
		{'D', "/tmp/dsock", Forward{ListenPath: "/tmp/dsock"}},
		{'D', "1.2.3.4:1080", Forward{ListenHost: "1.2.3.4", ListenPort: 1080}},
	} {
		got, err := ParseForward(c.kind, c.spec)
		if err != nil || got != c.want {
			t.Errorf("-%c %s: %+v %v, want %+v", c.kind, c.spec, got, err, c.want)
			continue
		}
		// The -G form parses back to the same forward (as -L/-R args
		// become LocalForward/RemoteForward lines).
		key := map[byte]string{'L': "localforward", 'R': "remoteforward", 'D': "dynamicforward"}[c.kind]
		back, err := parseForwardArgs(key, strings.Fields(got.String()))
		if err != nil || back != got {
			t.Errorf("-%c %s: %q parses back as %+v %v", c.kind, c.spec, got.String(), back, err)
		}
	}
	for _, c := range []struct {
		kind byte
		spec string
	}{
		{'L', "8080/web/80"}, {'L', "5555"}, {'L', "h:5555"}, {'L', "1:2:3:4:5"}, {'L', "5555:h:0"},
		{'L', `5555:a\:b`}, {'D', "1:h:2"}, {'D', "5555:/tmp/x"}, {'R', "a:b:c"}, {'L', "[x:1:h:2"},
		{'L', "5555:/" + strings.Repeat("x", 120)},
	} {
		if f, err := ParseForward(c.kind, c.spec); err == nil {
			t.Errorf("-%c %s accepted: %+v", c.kind, c.spec, f)
		} else if want := map[byte]string{'L': "Bad local", 'R': "Bad remote", 'D': "Bad dynamic"}[c.kind]; !strings.HasPrefix(err.Error(), want) {
			t.Errorf("-%c %s: %v", c.kind, c.spec, err)
		}
	}
	r, err := load(t, "h", "LocalForward /tmp/l /tmp/r\nRemoteForward 1080\nRemoteForward /tmp/rs localhost:22\nStreamLocalBindMask 0077\nStreamLocalBindUnlink yes\nPermitRemoteOpen web:80 *:443\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.LocalForwards) != 1 || r.LocalForwards[0].ListenPath != "/tmp/l" || r.LocalForwards[0].ConnectPath != "/tmp/r" ||
		len(r.RemoteForwards) != 2 || !r.RemoteForwards[0].IsDynamic() || r.RemoteForwards[1].ListenPath != "/tmp/rs" {
		t.Errorf("forward keywords: %+v %+v", r.LocalForwards, r.RemoteForwards)
	}
	if r.StreamLocalBindMask != 0o077 || !r.StreamLocalBindUnlink || strings.Join(r.PermitRemoteOpen, " ") != "web:80 *:443" {
		t.Errorf("StreamLocalBindMask %o, StreamLocalBindUnlink %v, PermitRemoteOpen %q", r.StreamLocalBindMask, r.StreamLocalBindUnlink, r.PermitRemoteOpen)
	}
	if r, _ := load(t, "h", ""); r.StreamLocalBindMask != 0o177 || r.StreamLocalBindUnlink || r.PermitRemoteOpen != nil {
		t.Errorf("defaults: %o %v %q", r.StreamLocalBindMask, r.StreamLocalBindUnlink, r.PermitRemoteOpen)
	}
	if _, err := load(t, "h", "StreamLocalBindMask 0999\n"); err == nil {
		t.Error("StreamLocalBindMask 0999 accepted")
	}
}
