package mctiny

import (
	"crypto/subtle"
	"encoding/binary"

	"golang.org/x/crypto/poly1305"
	"golang.org/x/crypto/salsa20/salsa"
)

// salsaLanes computes up to eight independent Salsa20 cores at once: the
// HSalsa20 subkeys of several boxes, or single key-stream blocks of
// several boxes. A phase-1 reply needs the XSalsa20 subkeys of three boxes
// (the K_ij box, the cookie C_ij and the reply) and six short key-stream
// pieces (the last two blocks of the K_ij box, one block for C_ij, three
// for the reply); one call each instead of nine sequential ones.
type salsaLanes struct {
	key [8][32]byte
	in  [8][16]byte // HSalsa20's input, or Salsa20's nonce ‖ block counter
	st  [2][4][16]uint32
	out [8 * 64]byte // lane i at out[64i : 64i+64]
}

// set makes lane i compute with key and the 16-byte input in.
func (l *salsaLanes) set(i int, key *[32]byte, in []byte) {
	l.key[i] = *key
	copy(l.in[i][:], in)
}

// setBlock makes lane i compute the key-stream block number ctr of key
// with the 8-byte nonce.
func (l *salsaLanes) setBlock(i int, key *[32]byte, nonce []byte, ctr uint64) {
	l.key[i] = *key
	copy(l.in[i][:8], nonce)
	binary.LittleEndian.PutUint64(l.in[i][8:], ctr)
}

// subkey returns lane i's HSalsa20 output after hsalsa.
func (l *salsaLanes) subkey(i int) *[32]byte { return (*[32]byte)(l.lane(i)) }

// lane is lane i's 64 output bytes.
func (l *salsaLanes) lane(i int) []byte { return l.out[64*i : 64*i+64] }

// hsalsa computes HSalsa20 for lanes 0..n-1 into subkey(i).
func (l *salsaLanes) hsalsa(n int) {
	if salsaKernel != salsaAVX512 {
		for i := range n {
			salsa.HSalsa20(l.subkey(i), &l.in[i], &l.key[i], &salsa.Sigma)
		}
		return
	}
	l.run(n, false)
	for i := range n {
		var w [8]uint32
		for k, x := range [8]int{0, 5, 10, 15, 6, 7, 8, 9} {
			w[k] = binary.LittleEndian.Uint32(l.lane(i)[4*x:])
		}
		for k := range w {
			binary.LittleEndian.PutUint32(l.lane(i)[4*k:], w[k])
		}
		clear(l.lane(i)[32:])
	}
}

// blocks computes the key-stream block of lanes 0..n-1 into out[i].
func (l *salsaLanes) blocks(n int) {
	if salsaKernel != salsaAVX512 {
		for i := range n {
			clear(l.lane(i))
			salsaXOR(l.lane(i), l.lane(i), &l.in[i], &l.key[i])
		}
		return
	}
	l.run(n, true)
}

// run loads the states of lanes 0..n-1 as the diagonals of salsa_amd64.s
// and runs the kernel.
func (l *salsaLanes) run(n int, feed bool) {
	for i := range n {
		k, c := &l.key[i], &l.in[i]
		row := &l.st[i/4]
		o := 4 * (i % 4)
		row[0][o], row[0][o+1], row[0][o+2], row[0][o+3] = 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574
		row[1][o], row[1][o+1], row[1][o+2], row[1][o+3] = le(k[12:]), le(c[12:]), le(k[28:]), le(k[8:])
		row[2][o], row[2][o+1], row[2][o+2], row[2][o+3] = le(c[8:]), le(k[24:]), le(k[4:]), le(c[4:])
		row[3][o], row[3][o+1], row[3][o+2], row[3][o+3] = le(k[20:]), le(k[0:]), le(c[0:]), le(k[16:])
	}
	salsaLanesKernel(&l.out, &l.st, feed)
}

// wipe erases keys, inputs, states and outputs.
func (l *salsaLanes) wipe() {
	clear(l.key[:])
	clear(l.in[:])
	clear(l.st[:])
	clear(l.out[:])
}

// lanes is the output of lanes i..j-1, in order.
func (l *salsaLanes) lanes(i, j int) []byte { return l.out[64*i : 64*j] }

// sealWithStream appends box(msg) = tag ‖ ciphertext to dst given the
// box's key stream ks from its first byte (at least 32+len(msg) bytes):
// the first 32 bytes are the Poly1305 key.
func sealWithStream(dst, msg, ks []byte) []byte {
	n := len(dst)
	dst = append(dst, make([]byte, TagSize+len(msg))...)
	ct := dst[n+TagSize:]
	subtle.XORBytes(ct, msg, ks[32:32+len(msg)])
	var tag [TagSize]byte
	poly1305.Sum(&tag, ct, (*[32]byte)(ks[:32]))
	copy(dst[n:], tag[:])
	return dst
}
