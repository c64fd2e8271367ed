#!/usr/bin/env python3
"""Turn the stderr of an OpenSSH client built with -DDEBUG_KEX and
-DDEBUG_KEXECDH (patched by 0001-mceliece6688128x25519-sha512.patch) into a
"name = hex" vector file. Usage: parse-debug-dump.py KEX < client.log"""
import re
import sys

# label printed by OpenSSH -> field name in the vector file
LABELS = {
    "client secret key mceliece6688128:": "mceliece_sk",
    "client private key c25519:": "x25519_client_priv",
    "client public key c25519:": "x25519_client_pub",
    "server cipher text:": "mceliece_ct",
    "server public key c25519:": "x25519_server_pub",
    "client kem key:": "k_mceliece",
    "concatenation of KEM key and ECDH shared key:": "k_concat",
    "encoded shared secret:": "k_encoded",
    "hash": "exchange_hash",
}
DUMP = re.compile(r"^(\d{4,}): ((?:[0-9a-f]{2} |   ){16})")


def sections(lines):
    label, data = None, []
    for line in lines:
        m = DUMP.match(line)
        if m and label is not None:
            data.append("".join(m.group(2).split()))
            continue
        if label is not None:
            yield label, "".join(data)
        label, data = None, []
        line = line.rstrip("\r\n")
        if line in LABELS or line.startswith("buffer len = ") or re.match(r"^key '[A-F]'== key$", line):
            label = line
    if label is not None:
        yield label, "".join(data)


def main():
    kex = sys.argv[1]
    out, keys, hash_input = {}, {}, None
    for label, hexdata in sections(sys.stdin):
        if label.startswith("buffer len = "):
            n = int(label.split("=")[1])
            if len(hexdata) != 2 * n:
                sys.exit("hash input: %d bytes dumped, %d announced" % (len(hexdata) // 2, n))
            hash_input = hexdata
        elif label.startswith("key '"):
            keys["derived_key_" + label[5]] = hexdata
        elif label not in out:  # first occurrence: the initial exchange
            out[LABELS[label]] = hexdata
    if hash_input is None or len(out) != len(LABELS):
        sys.exit("missing dumps: have %s" % sorted(out))
    print("# %s, client side of one exchange between OpenSSH 10.0p1 (Debian" % kex)
    print("# trixie) patched by interop/openssh-mceliece, built with -DDEBUG_KEX")
    print("# -DDEBUG_KEXECDH; ciphers aes256-ctr, MAC hmac-sha2-256.")
    print("method = %s" % kex)
    for name in ["mceliece_sk", "x25519_client_priv", "x25519_client_pub", "mceliece_ct", "x25519_server_pub",
                 "k_mceliece", "k_concat", "k_encoded", "exchange_hash"]:
        print("%s = %s" % (name, out[name]))
    for name in sorted(keys):
        print("%s = %s" % (name, keys[name]))
    print("hash_input = %s" % hash_input)


main()
