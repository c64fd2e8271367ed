package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"
)

func TestKeygenEveryType(t *testing.T) {
	dir := t.TempDir()
	for typ, algo := range keyTypes {
		t.Run(typ, func(t *testing.T) {
			f := filepath.Join(dir, "id_"+typ)
			var out bytes.Buffer
			if err := run([]string{"-q", "-t", typ, "-f", f, "-C", "c@h"}, nil, &out); err != nil {
				t.Fatal(err)
			}
			if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("private key file: %v %v", fi.Mode(), err)
			}
			pubLine, _ := os.ReadFile(f + ".pub")
			pub, comment, _, _, err := ssh.ParseAuthorizedKey(pubLine)
			if err != nil || pub.Type() != algo || comment != "c@h" {
				t.Fatalf(".pub: %v %q %v", pub, comment, err)
			}
			out.Reset()
			if err := run([]string{"-y", "-f", f}, nil, &out); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(pubLine), strings.TrimSpace(out.String())) {
				t.Errorf("-y printed %q, .pub is %q", out.String(), pubLine)
			}
			out.Reset()
			if err := run([]string{"-l", "-f", f}, nil, &out); err != nil || !strings.HasPrefix(out.String(), ssh.FingerprintSHA256(pub)+" c@h (") {
				t.Errorf("-l: %q %v", out.String(), err)
			}
			msg := filepath.Join(dir, "msg-"+typ)
			os.WriteFile(msg, []byte("hello"), 0o644)
			if err := run([]string{"-Y", "sign", "-f", f, "-n", "file", msg}, nil, &out); err != nil {
				t.Fatal(err)
			}
			out.Reset()
			if err := run([]string{"-Y", "check-novalidate", "-n", "file", "-s", msg + ".sig"}, strings.NewReader("hello"), &out); err != nil {
				t.Fatal(err)
			}
			if err := run([]string{"-Y", "check-novalidate", "-n", "file", "-s", msg + ".sig"}, strings.NewReader("hellO"), &out); err == nil {
				t.Error("signature of another message verified")
			}
			if err := run([]string{"-q", "-t", typ, "-f", f}, nil, &out); err == nil {
				t.Error("overwrote an existing key")
			}
		})
	}
	if err := run([]string{"-q", "-N", "secret", "-f", filepath.Join(dir, "enc")}, nil, &bytes.Buffer{}); err == nil {
		t.Error("accepted a passphrase it cannot apply")
	}
	if err := run([]string{"-q", "-t", "dsa", "-f", filepath.Join(dir, "dsa")}, nil, &bytes.Buffer{}); err == nil {
		t.Error("accepted an unknown type")
	}
}
