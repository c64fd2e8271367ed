package server

import (
	"encoding/binary"
	"os"

	"golang.org/x/sys/unix"
)

// applyModes applies the encoded terminal modes of a pty-req (RFC 4254
// section 8) that Linux supports; unknown opcodes are skipped and parsing
// stops at TTY_OP_END (0) or the first opcode 160..255 it cannot size.
func applyModes(tty *os.File, modes []byte) {
	t, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		return
	}
	cc := map[byte]int{1: unix.VINTR, 2: unix.VQUIT, 3: unix.VERASE, 4: unix.VKILL, 5: unix.VEOF, 6: unix.VEOL,
		7: unix.VEOL2, 8: unix.VSTART, 9: unix.VSTOP, 10: unix.VSUSP, 12: unix.VREPRINT, 13: unix.VWERASE,
		14: unix.VLNEXT, 18: unix.VDISCARD}
	type flag struct {
		field *uint32
		bit   uint32
	}
	flags := map[byte]flag{
		30: {&t.Iflag, unix.IGNPAR}, 31: {&t.Iflag, unix.PARMRK}, 32: {&t.Iflag, unix.INPCK}, 33: {&t.Iflag, unix.ISTRIP},
		34: {&t.Iflag, unix.INLCR}, 35: {&t.Iflag, unix.IGNCR}, 36: {&t.Iflag, unix.ICRNL}, 37: {&t.Iflag, unix.IUCLC},
		38: {&t.Iflag, unix.IXON}, 39: {&t.Iflag, unix.IXANY}, 40: {&t.Iflag, unix.IXOFF}, 41: {&t.Iflag, unix.IMAXBEL},
		42: {&t.Iflag, unix.IUTF8},
		50: {&t.Lflag, unix.ISIG}, 51: {&t.Lflag, unix.ICANON}, 53: {&t.Lflag, unix.ECHO}, 54: {&t.Lflag, unix.ECHOE},
		55: {&t.Lflag, unix.ECHOK}, 56: {&t.Lflag, unix.ECHONL}, 57: {&t.Lflag, unix.NOFLSH}, 58: {&t.Lflag, unix.TOSTOP},
		59: {&t.Lflag, unix.IEXTEN}, 60: {&t.Lflag, unix.ECHOCTL}, 61: {&t.Lflag, unix.ECHOKE}, 62: {&t.Lflag, unix.PENDIN},
		70: {&t.Oflag, unix.OPOST}, 71: {&t.Oflag, unix.OLCUC}, 72: {&t.Oflag, unix.ONLCR}, 73: {&t.Oflag, unix.OCRNL},
		74: {&t.Oflag, unix.ONOCR}, 75: {&t.Oflag, unix.ONLRET},
		90: {&t.Cflag, unix.CS7}, 91: {&t.Cflag, unix.CS8}, 92: {&t.Cflag, unix.PARENB}, 93: {&t.Cflag, unix.PARODD},
	}
	for len(modes) >= 5 {
		op := modes[0]
		if op == 0 || op >= 160 {
			break
		}
		v := binary.BigEndian.Uint32(modes[1:5])
		modes = modes[5:]
		if i, ok := cc[op]; ok {
			t.Cc[i] = uint8(v)
		} else if f, ok := flags[op]; ok {
			if v != 0 {
				*f.field |= f.bit
			} else {
				*f.field &^= f.bit
			}
		} else if op == 128 {
			t.Ispeed = v
		} else if op == 129 {
			t.Ospeed = v
		}
	}
	unix.IoctlSetTermios(int(tty.Fd()), unix.TCSETS, t)
}
