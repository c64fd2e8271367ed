/*
 * mceliece-diff — file-based front end to libmceliece's mceliece6688128 for
 * differential tests against pqssh's Go implementation (kem/mceliece).
 * All files hold raw bytes in the standard Classic McEliece formats.
 *
 *   mceliece-diff keypair   OUTPK OUTSK        (mceliece6688128_keypair)
 *   mceliece-diff keypair-f OUTPK OUTSK        (mceliece6688128f_keypair)
 *   mceliece-diff enc PKFILE OUTCT OUTSS
 *   mceliece-diff dec SKFILE CTFILE OUTSS
 *
 * Exit status: 0 success, 1 failure (message on stderr), 2 usage.
 * Build: cc -O2 -o mceliece-diff diff.c -lmceliece
 */
#include <mceliece.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char pk[mceliece6688128_PUBLICKEYBYTES];
static unsigned char sk[mceliece6688128_SECRETKEYBYTES];
static unsigned char ct[mceliece6688128_CIPHERTEXTBYTES];
static unsigned char ss[mceliece6688128_BYTES];

static void
die(const char *what, const char *path)
{
	fprintf(stderr, "mceliece-diff: %s %s\n", what, path);
	exit(1);
}

/* Read exactly n bytes: the file must hold n bytes, no more, no fewer. */
static void
readfile(const char *path, unsigned char *buf, size_t n)
{
	FILE *f = fopen(path, "rb");
	int extra;

	if (f == NULL)
		die("cannot open", path);
	if (fread(buf, 1, n, f) != n)
		die("short file", path);
	extra = getc(f);
	fclose(f);
	if (extra != EOF)
		die("file too long", path);
}

static void
writefile(const char *path, const unsigned char *buf, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		die("cannot create", path);
	if (fwrite(buf, 1, n, f) != n || fclose(f) != 0)
		die("cannot write", path);
}

static void
usage(void)
{
	fprintf(stderr, "usage: mceliece-diff keypair|keypair-f OUTPK OUTSK\n"
	    "       mceliece-diff enc PKFILE OUTCT OUTSS\n"
	    "       mceliece-diff dec SKFILE CTFILE OUTSS\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (strcmp(argv[1], "keypair") == 0 ||
	    strcmp(argv[1], "keypair-f") == 0) {
		if (argc != 4)
			usage();
		if (argv[1][7] == '-')
			mceliece6688128f_keypair(pk, sk);
		else
			mceliece6688128_keypair(pk, sk);
		writefile(argv[2], pk, sizeof(pk));
		writefile(argv[3], sk, sizeof(sk));
	} else if (strcmp(argv[1], "enc") == 0) {
		if (argc != 5)
			usage();
		readfile(argv[2], pk, sizeof(pk));
		if (mceliece6688128_enc(ct, ss, pk) != 0)
			die("encapsulation failed for", argv[2]);
		writefile(argv[3], ct, sizeof(ct));
		writefile(argv[4], ss, sizeof(ss));
	} else if (strcmp(argv[1], "dec") == 0) {
		if (argc != 5)
			usage();
		readfile(argv[2], sk, sizeof(sk));
		readfile(argv[3], ct, sizeof(ct));
		if (mceliece6688128_dec(ss, ct, sk) != 0)
			die("decapsulation failed for", argv[3]);
		writefile(argv[4], ss, sizeof(ss));
	} else
		usage();
	memset(sk, 0, sizeof(sk));
	memset(ss, 0, sizeof(ss));
	return 0;
}
