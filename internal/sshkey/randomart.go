package sshkey

import (
	"crypto/md5"
	"crypto/sha256"
	"fmt"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Randomart draws OpenSSH's "drunken bishop" picture of a key's
// fingerprint (sshkey_fingerprint_randomart in sshkey.c): a bishop starts
// in the middle of a 17x9 board and, for each pair of bits of the digest
// (least significant first), moves diagonally, leaving a trail whose
// density picks the character. hash is "SHA256" or "MD5".
func Randomart(k ssh.PublicKey, hash string) string {
	const (
		sizeX = 17
		sizeY = 9
		chars = " .o+=*BOX@%&#/^SE"
	)
	var digest []byte
	if hash == "MD5" {
		d := md5.Sum(k.Marshal())
		digest = d[:]
	} else {
		d := sha256.Sum256(k.Marshal())
		digest = d[:]
	}
	last := len(chars) - 1
	var field [sizeX][sizeY]int
	x, y := sizeX/2, sizeY/2
	for _, in := range digest {
		for range 4 {
			if in&1 != 0 {
				x++
			} else {
				x--
			}
			if in&2 != 0 {
				y++
			} else {
				y--
			}
			x = max(0, min(x, sizeX-1))
			y = max(0, min(y, sizeY-1))
			if field[x][y] < last-2 {
				field[x][y]++
			}
			in >>= 2
		}
	}
	field[sizeX/2][sizeY/2] = last - 1
	field[x][y] = last

	// The title is cut to 16 characters, as OpenSSH's 17-byte buffer does.
	title := fmt.Sprintf("[%s %d]", KeyTypeLabel(k), KeyBits(k))
	if len(title) > sizeX {
		title = "[" + KeyTypeLabel(k) + "]"
	}
	title = title[:min(len(title), sizeX-1)]
	border := func(label string) string {
		pad := (sizeX - len(label)) / 2
		return "+" + strings.Repeat("-", pad) + label + strings.Repeat("-", sizeX-pad-len(label)) + "+"
	}
	var b strings.Builder
	b.WriteString(border(title) + "\n")
	for yy := range sizeY {
		b.WriteString("|")
		for xx := range sizeX {
			b.WriteByte(chars[min(field[xx][yy], last)])
		}
		b.WriteString("|\n")
	}
	b.WriteString(border("[" + hash + "]"))
	return b.String()
}

// Fingerprint is ssh-keygen's fingerprint text under -E: "SHA256:…" or
// "MD5:aa:bb:…".
func Fingerprint(k ssh.PublicKey, hash string) string {
	if hash == "MD5" {
		return "MD5:" + ssh.FingerprintLegacyMD5(k)
	}
	return ssh.FingerprintSHA256(k)
}
