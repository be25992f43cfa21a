/* Unit tests: lib/strbuf (a growing NUL-terminated buffer). */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "strbuf.h"

static void
test_strbuf(void)
{
	struct strbuf b = { 0 };
	char big[3000];
	char *p;

	CHECK_STR(strbuf_done(&b), "");
	strbuf_str(&b, "ab");
	strbuf_add(&b, "cdef", 2);
	strbuf_fmt(&b, "-%d-%s", 42, "x");
	CHECK_STR(b.p, "abcd-42-x");
	CHECK(b.len == 9);
	memset(big, 'y', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	strbuf_fmt(&b, "%s!", big);
	CHECK(b.len == 9 + sizeof(big));
	CHECK(b.p[b.len - 1] == '!' && b.p[b.len] == '\0');
	p = strbuf_done(&b);
	CHECK(p != NULL && strncmp(p, "abcd-42-xyyy", 12) == 0);
	free(p);
}

int
main(void)
{
	test_strbuf();
	return check_done();
}
