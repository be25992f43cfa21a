/*
 * fuzz_segmeta: GUANO text through segmeta_read (not NUL-terminated,
 * exact length); what it accepts is written back with segmeta_write and
 * must read back to the same numbers and gaps.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "guano.h"
#include "segmeta.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct segmeta m, r;
	struct guano g;
	struct err e;
	uint64_t fr;

	(void)segmeta_frames((const char *)data, size, &fr);
	if (segmeta_read((const char *)data, size, &m, &e) < 0) {
		segmeta_free(&m);
		return 0;
	}
	if (guano_init(&g) < 0 || segmeta_write(&g, &m, m.have) < 0 ||
	    segmeta_read(g.buf, g.len, &r, &e) < 0)
		abort();
	if (r.have != m.have || r.first_frame != m.first_frame ||
	    r.channels != m.channels || r.frames != m.frames ||
	    r.lost_frames != m.lost_frames || r.recovered != m.recovered ||
	    r.ngaps != m.ngaps || (m.ngaps > 0 && memcmp(r.gaps, m.gaps,
	    m.ngaps * sizeof(*m.gaps)) != 0))
		abort();
	segmeta_free(&r);
	guano_free(&g);
	segmeta_free(&m);
	return 0;
}
