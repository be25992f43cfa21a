/*
 * mkseg: write finished segments the way rec-capture does (lib/wav.h +
 * lib/guano.h), for rec-archive's tests and benchmark.
 *   mkseg [-n COUNT] [-t START] [-l FRAMES] [-r RATE] [-c CH] [-f FORMAT]
 *         [-S STATION] [-g GAPS] [-R] [-x SEED] [-K 'KEY=VALUE']... DIR
 * START is the name form (20261128T031500.000Z); segments follow each
 * other gaplessly. -K adds a GUANO key to every segment, after rec's own
 * (such as 'REC|Clock Synced=false'; at most 16). The signal is a tone
 * plus low noise (FLAC halves it, like field audio). Prints nothing;
 * exit 0, or 1 with a message.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "guano.h"
#include "pcm.h"
#include "utc.h"
#include "wav.h"

/* Print a message (and strerror when sys) and exit 1. */
static void __attribute__((noreturn, format(printf, 2, 3)))
die(int sys, const char *fmt, ...)
{
	int se = errno;
	va_list ap;

	fputs("mkseg: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (sys)
		fprintf(stderr, ": %s", strerror(se));
	fputc('\n', stderr);
	exit(1);
}

int
main(int argc, char **argv)
{
	const char *start_s = "20261128T031500.000Z", *station = "station1";
	const char *gaps = "";
	unsigned count = 1, recovered = 0;
	uint64_t frames = 48000, seed = 1;
	struct pcm_spec spec = { 48000, 2, PCM_S16_LE };
	struct timespec start;
	const char *loc = NULL, *elev = NULL;	/* -L, -E: GUANO's Loc keys */
	const char *extra[16];			/* -K KEY=VALUE */
	unsigned nextra = 0;
	int c;

	while ((c = getopt(argc, argv, "n:t:l:r:c:f:S:g:Rx:L:E:K:")) != -1) {
		switch (c) {
		case 'n': count = (unsigned)atoi(optarg); break;
		case 't': start_s = optarg; break;
		case 'l': frames = strtoull(optarg, NULL, 10); break;
		case 'r': spec.rate = (unsigned)atoi(optarg); break;
		case 'c': spec.channels = (unsigned)atoi(optarg); break;
		case 'f':
			if (pcm_format_parse(optarg, &spec.format) == -1)
				die(0, "bad format %s", optarg);
			break;
		case 'S': station = optarg; break;
		case 'g': gaps = optarg; break;
		case 'R': recovered = 1; break;
		case 'x': seed = strtoull(optarg, NULL, 10); break;
		case 'L': loc = optarg; break;
		case 'E': elev = optarg; break;
		case 'K':
			if (nextra == 16 || strchr(optarg, '=') == NULL)
				die(0, "bad -K %s", optarg);
			extra[nextra++] = optarg;
			break;
		default: return 1;
		}
	}
	if (optind + 1 != argc)
		die(0, "usage: mkseg [options] DIR");
	if (utc_parse_name(start_s, &start) == -1)
		die(0, "bad start %s", start_s);

	size_t fb = pcm_frame_bytes(&spec), sb = pcm_sample_bytes(spec.format);
	unsigned bits = pcm_sample_bits(spec.format);
	uint64_t rng = seed * 6364136223846793005ULL + 1442695040888963407ULL;
	uint64_t first = 0, t = 0;
	unsigned char *buf = malloc(frames * fb + 1);
	if (buf == NULL)
		die(1, "malloc");
	for (unsigned s = 0; s < count; s++) {
		char name[256], tmpn[300], iso[40], sname[32];
		struct guano g0, g;
		uint8_t head[4096];
		size_t hlen;
		int fd;

		utc_name(&start, sname, sizeof sname);
		utc_iso(&start, iso, sizeof iso);
		snprintf(name, sizeof name, "%s_%s.wav", sname, station);
		if (guano_init(&g0) == -1)
			die(1, "guano");
		guano_add(&g0, "Timestamp", "%s", iso);
		guano_add(&g0, "Samplerate", "%u", spec.rate);
		guano_add(&g0, "Original Filename", "%s", name);
		if (loc != NULL)
			guano_add(&g0, "Loc Position", "%s", loc);
		if (elev != NULL)
			guano_add(&g0, "Loc Elevation", "%s", elev);
		guano_add(&g0, "REC|Station", "%s", station);
		guano_add(&g0, "REC|Device", "hw:test");
		guano_add(&g0, "REC|Run", "%016llx", (unsigned long long)seed);
		guano_add(&g0, "REC|First Frame", "%llu",
		    (unsigned long long)first);
		guano_add(&g0, "REC|Channels", "%u", spec.channels);
		guano_add(&g0, "REC|Format", "%s", pcm_format_name(spec.format));
		hlen = wav_head(head, sizeof head, &spec, g0.buf, g0.len);
		if (hlen == 0)
			die(0, "wav_head failed");
		for (uint64_t i = 0; i < frames; i++, t++) {
			double tone = 0.3 * sin(2 * M_PI * 440.0 * (double)t /
			    spec.rate);
			for (unsigned ch = 0; ch < spec.channels; ch++) {
				rng = rng * 6364136223846793005ULL +
				    1442695040888963407ULL;
				double noise = ((double)(rng >> 40) /
				    (double)(1ULL << 24) - 0.5) / 512;
				int64_t v = (int64_t)((tone + noise) *
				    (double)((1LL << (bits - 1)) - 1));
				unsigned char *p = buf + i * fb + ch * sb;
				for (size_t k = 0; k < sb; k++)
					p[k] = (unsigned char)((uint64_t)v >>
					    (8 * k));
			}
		}
		g = g0;
		g0.buf = NULL;
		guano_add(&g, "Length", "%.6f", (double)frames / spec.rate);
		guano_add(&g, "REC|Frames", "%llu", (unsigned long long)frames);
		guano_add(&g, "REC|Gaps", "%s", gaps);
		guano_add(&g, "REC|Lost Frames", "0");
		guano_add(&g, "REC|Recovered", "%s", recovered ? "true" :
		    "false");
		for (unsigned k = 0; k < nextra; k++) {
			const char *eq = strchr(extra[k], '=');
			char key[128];

			snprintf(key, sizeof key, "%.*s", (int)(eq - extra[k]),
			    extra[k]);
			guano_add(&g, key, "%s", eq + 1);
		}
		snprintf(tmpn, sizeof tmpn, "%s/.%s.tmp", argv[optind], name);
		fd = open(tmpn, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd == -1)
			die(1, "%s", tmpn);
		if (file_write_all(fd, head, hlen) == -1 ||
		    file_write_all(fd, buf, frames * fb) == -1 ||
		    wav_finish(fd, hlen, frames * fb, g.buf, g.len) == -1 ||
		    close(fd) == -1)
			die(1, "%s", tmpn);
		{
			char dst[512];
			snprintf(dst, sizeof dst, "%s/%s", argv[optind], name);
			if (rename(tmpn, dst) == -1)
				die(1, "rename %s", dst);
		}
		guano_free(&g);
		first += frames;
		int64_t ns = utc_ns(&start) + (int64_t)(frames * 1000000000ULL /
		    spec.rate);
		start = utc_from_ns(ns);
	}
	free(buf);
	return 0;
}
