// Package sshwire holds SSH wire-format pieces shared by pqssh and pqsshd
// (RFC 4251 section 5 strings; the typed KEXINIT parser; the host key
// update extension's names and signed data) and, for tests that recompute an exchange hash from a
// transcript, a parser of the unencrypted start of a connection (RFC 4253
// sections 4.2 and 6) from recorded byte streams.
package sshwire

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Stream is one direction of a recorded connection.
type Stream struct {
	Version []byte   // identification string without CR LF
	Packets [][]byte // payloads of the unencrypted packets, up to NEWKEYS
	Rest    []byte   // the bytes after NEWKEYS (encrypted)
}

const msgNewKeys = 21

// Parse reads the version line and the unencrypted binary packets up to
// and including SSH_MSG_NEWKEYS.
func Parse(b []byte) (*Stream, error) {
	i := bytes.Index(b, []byte("\r\n"))
	if i < 0 {
		return nil, errors.New("sshwire: no identification string")
	}
	s := &Stream{Version: b[:i]}
	b = b[i+2:]
	for len(b) > 0 {
		if len(b) < 5 {
			return nil, errors.New("sshwire: truncated packet header")
		}
		n := int(binary.BigEndian.Uint32(b))
		pad := int(b[4])
		if n < pad+1 || len(b) < 4+n {
			return nil, fmt.Errorf("sshwire: bad packet length %d", n)
		}
		payload := b[5 : 4+n-pad]
		s.Packets = append(s.Packets, payload)
		b = b[4+n:]
		if len(payload) > 0 && payload[0] == msgNewKeys {
			s.Rest = b
			return s, nil
		}
	}
	return s, nil
}

// String reads an SSH string at the start of b and returns it and the rest.
func String(b []byte) (s, rest []byte, err error) {
	if len(b) < 4 {
		return nil, nil, errors.New("sshwire: truncated string")
	}
	n := binary.BigEndian.Uint32(b)
	if uint64(len(b)-4) < uint64(n) {
		return nil, nil, errors.New("sshwire: truncated string")
	}
	return b[4 : 4+n], b[4+n:], nil
}

// AppendString appends b as an SSH string.
func AppendString(dst, b []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(b)))
	return append(dst, b...)
}

// Host key update and rotation (OpenSSH PROTOCOL section 2.5,
// draft-miller-sshm-hostkey-update): the server announces its host keys
// after authentication; the client asks it to prove possession of the
// ones it does not know.
const (
	HostKeysRequest      = "hostkeys-00@openssh.com"
	HostKeysProveRequest = "hostkeys-prove-00@openssh.com"
)

// HostKeyProofData is what the server signs, and the client verifies, for
// one host key in reply to HostKeysProveRequest:
//
//	string "hostkeys-prove-00@openssh.com" || string session identifier || string host key blob
func HostKeyProofData(sessionID, keyBlob []byte) []byte {
	data := AppendString(nil, []byte(HostKeysProveRequest))
	data = AppendString(data, sessionID)
	return AppendString(data, keyBlob)
}

// ReadHexDump parses x/crypto's recorded-session format: ">>> Flow N"
// headers followed by hexdump -C lines. Flows alternate, starting with the
// client; the two directions are returned concatenated.
func ReadHexDump(r io.Reader) (client, server []byte, err error) {
	sc := bufio.NewScanner(r)
	flow := -1
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, ">>> ") {
			flow++
			continue
		}
		_, after, ok := strings.Cut(line, " ")
		if !ok {
			return nil, nil, errors.New("sshwire: bad hex dump line")
		}
		hexPart, _, ok := strings.Cut(after, "|")
		if !ok {
			return nil, nil, errors.New("sshwire: bad hex dump line")
		}
		for _, f := range strings.Fields(hexPart) {
			v, err := strconv.ParseUint(f, 16, 8)
			if err != nil {
				return nil, nil, fmt.Errorf("sshwire: bad hex byte: %w", err)
			}
			if flow%2 == 0 {
				client = append(client, byte(v))
			} else {
				server = append(server, byte(v))
			}
		}
	}
	return client, server, sc.Err()
}

// MsgKexInit is the message number of SSH_MSG_KEXINIT.
const MsgKexInit = 20

// KexInit is a parsed SSH_MSG_KEXINIT (RFC 4253 section 7.1), the one
// parser pqssh's negotiation diagnostics, pqsshd's key-exchange gate and
// the transcript tests share.
type KexInit struct {
	Cookie                  [16]byte `sshtype:"20"`
	KexAlgos                []string
	ServerHostKeyAlgos      []string
	CiphersClientServer     []string
	CiphersServerClient     []string
	MACsClientServer        []string
	MACsServerClient        []string
	CompressionClientServer []string
	CompressionServerClient []string
	LanguagesClientServer   []string
	LanguagesServerClient   []string
	FirstKexFollows         bool
	Reserved                uint32
}

// ParseKexInit parses a KEXINIT payload (message number first) with the
// SSH library's typed unmarshalling. Its allocations are bounded by the
// payload's length, which callers bound (x/crypto's MaxKexInitSize).
func ParseKexInit(payload []byte) (*KexInit, error) {
	var k KexInit
	if err := ssh.Unmarshal(payload, &k); err != nil {
		return nil, fmt.Errorf("sshwire: KEXINIT: %w", err)
	}
	return &k, nil
}
