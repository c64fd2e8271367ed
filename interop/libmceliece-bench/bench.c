/*
 * bench — time libmceliece's mceliece6688128 operations.
 *
 * Prints one machine-readable line per operation:
 *
 *   op=keypair_f n=20 ns=123456789 min_ns=... max_ns=... cpu_ns=...
 *       mean_ns=... mean_cpu_ns=... impl=...
 *
 * where ns is the median wall-clock time (CLOCK_MONOTONIC) of n runs and
 * cpu_ns the median CPU time of this thread (CLOCK_THREAD_CPUTIME_ID),
 * which a loaded machine disturbs less; mean_ns and mean_cpu_ns are the
 * means (comparable with Go's ns/op, itself a mean).
 * Operations: keypair_f (mceliece6688128f_keypair), keypair
 * (mceliece6688128_keypair), enc (mceliece6688128_enc), dec
 * (mceliece6688128_dec).
 *
 * usage: bench [KEYPAIRS [ENCDEC]]   (defaults 20 and 1000)
 *
 * Build: cc -O2 -o bench bench.c -lmceliece
 */
#include <mceliece.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned char pk[mceliece6688128_PUBLICKEYBYTES];
static unsigned char sk[mceliece6688128_SECRETKEYBYTES];
static unsigned char ct[mceliece6688128_CIPHERTEXTBYTES];
static unsigned char k1[mceliece6688128_BYTES], k2[mceliece6688128_BYTES];

static long long
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long *cpu;	/* CPU time of each run */
static long long c0;

static long long
now_ns(void)
{
	c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	return clock_ns(CLOCK_MONOTONIC);
}

/* elapsed ends run i: records its CPU time, returns its wall time. */
static long long
elapsed(int i, long long t0)
{
	long long t = clock_ns(CLOCK_MONOTONIC) - t0;

	cpu[i] = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
	return t;
}

static long long
median(long long *t, int n)
{
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static long long
mean(const long long *t, int n)
{
	long long s = 0;
	int i;

	for (i = 0; i < n; i++)
		s += t[i];
	return s / n;
}

static void
report(const char *op, long long *t, int n, const char *impl)
{
	long long mt = mean(t, n), mc = mean(cpu, n);

	qsort(t, n, sizeof(*t), cmp_ll);
	qsort(cpu, n, sizeof(*cpu), cmp_ll);
	printf("op=%s n=%d ns=%lld min_ns=%lld max_ns=%lld cpu_ns=%lld mean_ns=%lld mean_cpu_ns=%lld impl=%s\n",
	    op, n, median(t, n), t[0], t[n - 1], median(cpu, n), mt, mc, impl);
	fflush(stdout);
}

static int
arg(int argc, char **argv, int i, int def)
{
	int v;

	if (argc <= i)
		return def;
	v = atoi(argv[i]);
	if (v < 1) {
		fprintf(stderr, "usage: bench [KEYPAIRS [ENCDEC]]\n");
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	int nkp = arg(argc, argv, 1, 20), ned = arg(argc, argv, 2, 1000);
	long long *t, t0;
	int i, n = nkp > ned ? nkp : ned;

	if ((t = calloc(n, sizeof(*t))) == NULL ||
	    (cpu = calloc(n, sizeof(*cpu))) == NULL)
		return 1;

	for (i = 0; i < nkp; i++) {
		t0 = now_ns();
		mceliece6688128f_keypair(pk, sk);
		t[i] = elapsed(i, t0);
	}
	report("keypair_f", t, nkp, mceliece_kem_6688128f_implementation());

	for (i = 0; i < nkp; i++) {
		t0 = now_ns();
		mceliece6688128_keypair(pk, sk);
		t[i] = elapsed(i, t0);
	}
	report("keypair", t, nkp, mceliece_kem_6688128_implementation());

	for (i = 0; i < ned; i++) {
		t0 = now_ns();
		if (mceliece6688128_enc(ct, k1, pk) != 0) {
			fprintf(stderr, "enc failed\n");
			return 1;
		}
		t[i] = elapsed(i, t0);
	}
	report("enc", t, ned, mceliece_kem_6688128_implementation());

	for (i = 0; i < ned; i++) {
		t0 = now_ns();
		if (mceliece6688128_dec(k2, ct, sk) != 0) {
			fprintf(stderr, "dec failed\n");
			return 1;
		}
		t[i] = elapsed(i, t0);
	}
	if (memcmp(k1, k2, sizeof(k1)) != 0) {
		fprintf(stderr, "dec: shared secret mismatch\n");
		return 1;
	}
	report("dec", t, ned, mceliece_kem_6688128_implementation());
	free(t);
	free(cpu);
	return 0;
}
