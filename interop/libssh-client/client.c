/*
 * pqi-libssh-client: a minimal SSH client on libssh (0.12 in Debian forky),
 * written for pqssh's interop tests (docs/interop.md). It logs in with a
 * private key, runs one command, copies its own standard input to the
 * command and the command's output back, and exits with the command's exit
 * status. It reports the negotiated key exchange on standard error as
 * "libssh kex: NAME" (ssh_get_kex_algo).
 *
 * usage: pqi-libssh-client -p PORT -l USER -i KEY [-k KEX] [-v] HOST COMMAND
 *        pqi-libssh-client -Q   (the key exchange methods libssh supports)
 *
 * Host keys are not checked: the tests run inside a private network of
 * containers the run created. Exit status 255 means a failure of the
 * client or of the connection, as with OpenSSH's ssh.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libssh/libssh.h>

static void fail(ssh_session s, const char *what)
{
	fprintf(stderr, "pqi-libssh-client: %s: %s\n", what, s ? ssh_get_error(s) : "");
	exit(255);
}

/* drain copies what the channel has buffered to stdout and stderr without
 * blocking; it returns -1 on error. */
static int drain(ssh_session s, ssh_channel ch)
{
	char buf[32768];
	for (int is_stderr = 0; is_stderr < 2; is_stderr++) {
		for (;;) {
			int n = ssh_channel_read_nonblocking(ch, buf, sizeof buf, is_stderr);
			if (n == SSH_ERROR)
				return -1;
			if (n <= 0)
				break;
			if (write(is_stderr ? 2 : 1, buf, n) != n)
				fail(s, "writing output");
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *port = "22", *user = NULL, *key = NULL, *kex = NULL;
	int verbosity = SSH_LOG_NOLOG, opt;
	while ((opt = getopt(argc, argv, "p:l:i:k:vQ")) != -1) {
		switch (opt) {
		case 'Q':
			printf("%s\n", ssh_get_supported_methods(SSH_KEX));
			return 0;
		case 'p': port = optarg; break;
		case 'l': user = optarg; break;
		case 'i': key = optarg; break;
		case 'k': kex = optarg; break;
		case 'v': verbosity = SSH_LOG_PROTOCOL; break;
		default:
			fprintf(stderr, "usage: pqi-libssh-client -p PORT -l USER -i KEY [-k KEX] [-v] HOST COMMAND\n");
			return 255;
		}
	}
	if (argc - optind != 2 || !user || !key) {
		fprintf(stderr, "usage: pqi-libssh-client -p PORT -l USER -i KEY [-k KEX] [-v] HOST COMMAND\n");
		return 255;
	}
	const char *host = argv[optind], *command = argv[optind + 1];

	ssh_session s = ssh_new();
	if (!s)
		fail(NULL, "ssh_new");
	unsigned int portnum = (unsigned int)atoi(port);
	ssh_options_set(s, SSH_OPTIONS_HOST, host);
	ssh_options_set(s, SSH_OPTIONS_PORT, &portnum);
	ssh_options_set(s, SSH_OPTIONS_USER, user);
	ssh_options_set(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
	if (kex && ssh_options_set(s, SSH_OPTIONS_KEY_EXCHANGE, kex) != SSH_OK)
		fail(s, "KEX option");
	if (ssh_connect(s) != SSH_OK)
		fail(s, "connect");
	fprintf(stderr, "libssh kex: %s\n", ssh_get_kex_algo(s));

	ssh_key priv = NULL;
	if (ssh_pki_import_privkey_file(key, NULL, NULL, NULL, &priv) != SSH_OK)
		fail(s, "reading the key");
	if (ssh_userauth_publickey(s, NULL, priv) != SSH_AUTH_SUCCESS)
		fail(s, "publickey authentication");
	ssh_key_free(priv);

	ssh_channel ch = ssh_channel_new(s);
	if (!ch || ssh_channel_open_session(ch) != SSH_OK)
		fail(s, "opening a session");
	if (ssh_channel_request_exec(ch, command) != SSH_OK)
		fail(s, "exec request");

	/* Standard input to the command, a chunk at a time, taking the
	 * command's output in between so that neither window stays shut. */
	char buf[32768];
	for (;;) {
		ssize_t n = read(0, buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fail(s, "reading standard input");
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			int w = ssh_channel_write(ch, buf + off, (uint32_t)(n - off));
			if (w == SSH_ERROR)
				fail(s, "writing to the channel");
			off += w;
			if (drain(s, ch) < 0)
				fail(s, "reading the channel");
		}
	}
	if (ssh_channel_send_eof(ch) != SSH_OK)
		fail(s, "sending EOF");

	/* The rest of the output, until the server closes the channel. */
	for (;;) {
		int n = ssh_channel_read_timeout(ch, buf, sizeof buf, 0, 60000);
		if (n == SSH_ERROR)
			fail(s, "reading the channel");
		if (n > 0) {
			if (write(1, buf, n) != n)
				fail(s, "writing output");
			continue;
		}
		if (drain(s, ch) < 0)
			fail(s, "reading the channel");
		if (ssh_channel_is_eof(ch))
			break;
	}
	uint32_t status = 0;
	char *signal = NULL;
	int core = 0;
	if (ssh_channel_get_exit_state(ch, &status, &signal, &core) != SSH_OK)
		fail(s, "no exit status");
	if (signal) {
		fprintf(stderr, "pqi-libssh-client: remote command killed by signal %s\n", signal);
		ssh_string_free_char(signal);
		status = 255;
	}
	ssh_channel_close(ch);
	ssh_channel_free(ch);
	ssh_disconnect(s);
	ssh_free(s);
	return (int)status;
}
