/*
 * agetool: a small age(1)-like program over lib/age.h, for tests and the
 * benchmark: encrypt to recipients, decrypt with identities, or check an
 * age file's structure without an identity.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "age.h"
#include "log.h"

#define BUFSZ (256 * 1024)

static void
usage(void)
{
	fprintf(stderr,
	    "usage: agetool [-r RECIPIENT]... [-R FILE]... [-o OUT] [IN]\n"
	    "       agetool -d -i IDENTITY_FILE... [-o OUT] [IN]\n"
	    "       agetool --check-header [IN]\n");
	exit(EX_USAGE);
}

static int
encrypt(const struct age_recipient *rs, size_t n, int in, int out)
{
	struct age_enc *a;
	struct err e;
	char *buf;
	ssize_t k;

	buf = malloc(BUFSZ);
	if (buf == NULL)
		log_die(EX_OSERR, "out of memory");
	a = age_enc_new(rs, n, age_fd_write, &out, &e);
	if (a == NULL)
		log_die(e.ex, "cannot encrypt: %s", e.msg);
	while ((k = age_fd_read(&in, buf, BUFSZ)) > 0)
		if (age_enc_write(a, buf, (size_t)k, &e) < 0)
			log_die(e.ex, "cannot encrypt: %s", e.msg);
	if (k < 0)
		log_die(EX_IOERR, "cannot read input: %s", strerror(errno));
	if (age_enc_finish(a, &e) < 0)
		log_die(e.ex, "cannot encrypt: %s", e.msg);
	age_enc_free(a);
	free(buf);
	return 0;
}

static int
decrypt(const struct age_identity *ids, size_t n, int in, int out)
{
	struct age_dec *d;
	struct err e;
	char *buf;
	ssize_t k;
	int ex = 0;

	buf = malloc(BUFSZ);
	if (buf == NULL)
		log_die(EX_OSERR, "out of memory");
	d = age_dec_new(ids, n, age_fd_read, &in, &e);
	if (d == NULL) {
		ex = e.ex;
		log_error("cannot decrypt: %s", e.msg);
		goto out;
	}
	while ((k = age_dec_read(d, buf, BUFSZ, &e)) > 0)
		if (age_fd_write(&out, buf, (size_t)k) < 0) {
			ex = EX_IOERR;
			log_error("cannot write output: %s", strerror(errno));
			goto out;
		}
	if (k < 0) {
		ex = e.ex;
		log_error("cannot decrypt: %s", e.msg);
	}
out:
	age_dec_free(d);
	free(buf);
	return ex;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "check-header", no_argument, NULL, 'c' },
		{ "decrypt", no_argument, NULL, 'd' },
		{ "identity", required_argument, NULL, 'i' },
		{ "recipient", required_argument, NULL, 'r' },
		{ "recipients-file", required_argument, NULL, 'R' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct age_recipient *rs = NULL, *grown;
	struct age_identity *ids = NULL;
	size_t nr = 0, ni = 0;
	const char *outpath = NULL;
	int c, mode = 'e', in = 0, out = 1, ex;
	struct err e;

	log_init(argv[0]);
	while ((c = getopt_long(argc, argv, "cdi:r:R:o:", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			mode = 'c';
			break;
		case 'd':
			mode = 'd';
			break;
		case 'i':
			if (age_identities_load(optarg, &ids, &ni, &e) < 0)
				log_die(e.ex, "%s", e.msg);
			break;
		case 'r':
			grown = realloc(rs, (nr + 1) * sizeof(*rs));
			if (grown == NULL)
				log_die(EX_OSERR, "out of memory");
			rs = grown;
			if (age_recipient_parse(optarg, &rs[nr], &e) < 0)
				log_die(e.ex, "%s", e.msg);
			nr++;
			break;
		case 'R':
			if (age_recipients_load(optarg, &rs, &nr, &e) < 0)
				log_die(e.ex, "%s", e.msg);
			break;
		case 'o':
			outpath = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind > 1)
		usage();
	if ((mode == 'e' && nr == 0) || (mode == 'd' && ni == 0) ||
	    (mode != 'e' && nr > 0) || (mode != 'd' && ni > 0))
		usage();
	if (optind < argc) {
		in = open(argv[optind], O_RDONLY | O_CLOEXEC);
		if (in < 0)
			log_die(EX_NOINPUT, "cannot open %s: %s", argv[optind],
			    strerror(errno));
	}
	if (outpath != NULL) {
		out = open(outpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
		    0644);
		if (out < 0)
			log_die(EX_CANTCREAT, "cannot create %s: %s", outpath,
			    strerror(errno));
	}
	switch (mode) {
	case 'e':
		ex = encrypt(rs, nr, in, out);
		break;
	case 'd':
		ex = decrypt(ids, ni, in, out);
		break;
	default:
		ex = 0;
		if (age_check_structure(age_fd_read, &in, &e) < 0) {
			log_error("%s", e.msg);
			ex = e.ex;
		}
	}
	if (outpath != NULL && close(out) < 0)
		log_die(EX_IOERR, "cannot close %s: %s", outpath,
		    strerror(errno));
	age_identities_free(ids, ni);
	free(rs);
	return ex;
}
