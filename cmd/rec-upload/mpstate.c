/*
 * mpstate.c: the state of a multipart upload, out/<archive>.upload: key,
 * UploadId, part size, size and the ETag of every part done, so that a
 * later run resumes the same upload and sends only the missing parts.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "spool.h"
#include "upload.h"

void
mpstate_free(struct mpstate *m)
{
	free(m->upload_id);
	free(m->parts);
	memset(m, 0, sizeof(*m));
}

int
mpstate_write(struct run *r, const char *sname, const struct mpstate *m)
{
	size_t cap, o = 0, i;
	char *buf;
	int rc;

	/* sized from the data: the key may be 1 KiB, the UploadId is the
	 * store's choice, part ETags too */
	cap = 128 + strlen(m->key) + strlen(m->upload_id);
	for (i = 0; i < m->nparts; i++)
		cap += 32 + strlen(m->parts[i].etag);
	if ((buf = malloc(cap)) == NULL)
		return -1;
	o += (size_t)snprintf(buf + o, cap - o, "rec-upload 1\nkey %s\n"
	    "upload-id %s\npart-size %" PRIu64 "\nsize %" PRIu64 "\n",
	    m->key, m->upload_id, m->part_size, m->size);
	for (i = 0; i < m->nparts && o < cap; i++)
		if (m->parts[i].etag[0])
			o += (size_t)snprintf(buf + o, cap - o, "part %d %s\n",
			    m->parts[i].number, m->parts[i].etag);
	if (o < cap)
		o += (size_t)snprintf(buf + o, cap - o, "end\n");
	if (o >= cap) {
		free(buf);
		errno = ENOMEM;
		return -1;
	}
	rc = file_replace(r->sp.fd[SPOOL_OUT], sname, buf, o, 0640);
	free(buf);
	return rc;
}

/* Read the state; 0 ok, -1 missing or unusable (then m is empty). */
int
mpstate_read(struct run *r, const char *sname, size_t nparts,
    struct mpstate *m)
{
	char *buf = NULL, *line, *save = NULL;
	int ended = 0, lineno = 0;

	memset(m, 0, sizeof(*m));
	if (file_slurp(r->sp.fd[SPOOL_OUT], sname, 4 << 20, &buf, NULL) < 0)
		return -1;
	if ((m->parts = calloc(nparts ? nparts : 1, sizeof(*m->parts))) == NULL)
		goto bad;
	m->nparts = nparts;
	for (size_t i = 0; i < nparts; i++)
		m->parts[i].number = (int)i + 1;
	for (line = strtok_r(buf, "\n", &save); line;
	    line = strtok_r(NULL, "\n", &save), lineno++) {
		if (lineno == 0) {
			if (strcmp(line, "rec-upload 1") != 0)
				goto bad;
		} else if (strncmp(line, "key ", 4) == 0) {
			snprintf(m->key, sizeof(m->key), "%s", line + 4);
		} else if (strncmp(line, "upload-id ", 10) == 0) {
			free(m->upload_id);
			m->upload_id = strdup(line + 10);
		} else if (strncmp(line, "part-size ", 10) == 0) {
			m->part_size = strtoull(line + 10, NULL, 10);
		} else if (strncmp(line, "size ", 5) == 0) {
			m->size = strtoull(line + 5, NULL, 10);
		} else if (strncmp(line, "part ", 5) == 0) {
			char *sp2;
			unsigned long n = strtoul(line + 5, &sp2, 10);
			if (n < 1 || n > nparts || *sp2 != ' ')
				goto bad;
			snprintf(m->parts[n - 1].etag,
			    sizeof(m->parts[n - 1].etag), "%s", sp2 + 1);
		} else if (strcmp(line, "end") == 0) {
			ended = 1;
		} else {
			goto bad;
		}
	}
	if (!ended || m->upload_id == NULL || !*m->upload_id || !m->key[0])
		goto bad;
	free(buf);
	return 0;
bad:
	free(buf);
	mpstate_free(m);
	return -1;
}
