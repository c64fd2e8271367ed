/*
 * ntrubench — time libntruprime's sntrup761 operations, the C reference
 * point for the project's kem/sntrup761 (same output format as bench.c):
 *
 *   op=keypair n=200 ns=MEDIAN min_ns=... max_ns=... cpu_ns=MEDIAN_CPU
 *       mean_ns=... mean_cpu_ns=... impl=...
 *
 * ns: wall-clock time (CLOCK_MONOTONIC) of one operation; cpu_ns: CPU time
 * of this thread (CLOCK_THREAD_CPUTIME_ID). Operations: keypair
 * (sntrup761_keypair), enc (sntrup761_enc), dec (sntrup761_dec); impl is
 * libntruprime's selected implementation of the KEM.
 *
 * usage: ntrubench [KEYPAIRS [ENCDEC]]   (defaults 200 and 2000)
 *
 * Build: cc -O2 -o ntrubench ntrubench.c -lntruprime
 */
#include <ntruprime.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned char pk[sntrup761_PUBLICKEYBYTES];
static unsigned char sk[sntrup761_SECRETKEYBYTES];
static unsigned char ct[sntrup761_CIPHERTEXTBYTES];
static unsigned char k1[sntrup761_BYTES], k2[sntrup761_BYTES];

static long long *wall, *cpu;

static long long
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
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

static long long
median(const long long *t, int n)
{
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

static void
report(const char *op, int n)
{
	long long mw = mean(wall, n), mc = mean(cpu, n);

	qsort(wall, n, sizeof(*wall), cmp_ll);
	qsort(cpu, n, sizeof(*cpu), cmp_ll);
	printf("op=%s n=%d ns=%lld min_ns=%lld max_ns=%lld cpu_ns=%lld mean_ns=%lld mean_cpu_ns=%lld impl=%s\n",
	    op, n, median(wall, n), wall[0], wall[n - 1], median(cpu, n), mw, mc,
	    ntruprime_kem_sntrup761_implementation());
	fflush(stdout);
}

/* TIME runs stmt n times, recording each run's wall and CPU time. */
#define TIME(n, stmt) do {						\
	int i_;								\
	for (i_ = 0; i_ < (n); i_++) {					\
		long long c0_ = clock_ns(CLOCK_THREAD_CPUTIME_ID);	\
		long long t0_ = clock_ns(CLOCK_MONOTONIC);		\
		stmt;							\
		wall[i_] = clock_ns(CLOCK_MONOTONIC) - t0_;		\
		cpu[i_] = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0_;	\
	}								\
} while (0)

static int
arg(int argc, char **argv, int i, int def)
{
	int v;

	if (argc <= i)
		return def;
	v = atoi(argv[i]);
	if (v < 1) {
		fprintf(stderr, "usage: ntrubench [KEYPAIRS [ENCDEC]]\n");
		exit(2);
	}
	return v;
}

int
main(int argc, char **argv)
{
	int nkp = arg(argc, argv, 1, 200), ned = arg(argc, argv, 2, 2000);
	int n = nkp > ned ? nkp : ned;

	if ((wall = calloc(n, sizeof(*wall))) == NULL ||
	    (cpu = calloc(n, sizeof(*cpu))) == NULL)
		return 1;

	TIME(nkp, sntrup761_keypair(pk, sk));
	report("keypair", nkp);
	TIME(ned, sntrup761_enc(ct, k1, pk));
	report("enc", ned);
	TIME(ned, sntrup761_dec(k2, ct, sk));
	if (memcmp(k1, k2, sizeof(k1)) != 0) {
		fprintf(stderr, "dec: shared secret mismatch\n");
		return 1;
	}
	report("dec", ned);
	free(wall);
	free(cpu);
	return 0;
}
