/*
 * wavdump: read WAV segments with lib/wav (as rec-archive does) for the
 * capture tests.  wavdump -p FILE...  PCM of the files, joined, to stdout
 *                wavdump -g FILE     the GUANO text
 *                wavdump -i FILE     "frames=N rate=R channels=C format=F
 *                                     finished=0|1"
 * Exits 65 when a file is not a readable WAV.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "wav.h"

int
main(int argc, char **argv)
{
	struct wav_info wi;
	struct err e;
	char mode;
	uint8_t *b;
	uint64_t off, left;
	ssize_t n;
	int i, fd;

	if (argc < 3 || argv[1][0] != '-') {
		fprintf(stderr, "usage: wavdump -p|-g|-i FILE...\n");
		return 64;
	}
	mode = argv[1][1];
	b = malloc(1 << 16);
	for (i = 2; i < argc; i++) {
		fd = open(argv[i], O_RDONLY);
		if (fd < 0 || wav_parse(fd, &wi, &e) < 0) {
			fprintf(stderr, "wavdump: %s: %s\n", argv[i],
			    fd < 0 ? "cannot open" : e.msg);
			return 65;
		}
		if (mode == 'g') {
			if (wi.guano)
				fwrite(wi.guano, 1, wi.guano_len, stdout);
		} else if (mode == 'i') {
			printf("frames=%" PRIu64 " rate=%u channels=%u "
			    "format=%s finished=%d\n", wi.frames, wi.spec.rate,
			    wi.spec.channels, pcm_format_name(wi.spec.format),
			    wi.finished);
		} else {
			fflush(stdout);
			off = wi.data_off;
			left = wi.data_len;
			while (left > 0) {
				n = file_pread_full(fd, b, left < 65536 ?
				    left : 65536, (off_t)off);
				if (n <= 0) {
					fprintf(stderr, "wavdump: %s: short\n",
					    argv[i]);
					return 65;
				}
				if (file_write_all(1, b, (size_t)n) < 0)
					return 74;
				off += (uint64_t)n;
				left -= (uint64_t)n;
			}
		}
		wav_info_free(&wi);
		close(fd);
	}
	free(b);
	fflush(stdout);
	return 0;
}
