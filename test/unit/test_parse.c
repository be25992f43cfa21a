/* Unit tests: lib/parse (sizes, durations, bounded integers, booleans). */
#include <errno.h>
#include <stdint.h>

#include "check.h"
#include "parse.h"

static void
test_parse(void)
{
	uint64_t v;
	int b;

	CHECK(parse_size("10M", &v) == 0 && v == 10485760);
	CHECK(parse_size("64KiB", &v) == 0 && v == 65536);
	CHECK(parse_size("7", &v) == 0 && v == 7);
	CHECK(parse_size("2g", &v) == 0 && v == 2147483648ULL);
	CHECK(parse_size("-1", &v) < 0);
	CHECK(parse_size("10Q", &v) < 0);
	CHECK(parse_size("", &v) < 0);
	CHECK(parse_size("99999999999T", &v) < 0 && errno == ERANGE);
	CHECK(parse_duration_ms("90", &v) == 0 && v == 90000);
	CHECK(parse_duration_ms("1h30m", &v) == 0 && v == 5400000);
	CHECK(parse_duration_ms("250ms", &v) == 0 && v == 250);
	CHECK(parse_duration_ms("1.5s", &v) == 0 && v == 1500);
	CHECK(parse_duration_ms("7d", &v) == 0 && v == 604800000);
	CHECK(parse_duration_ms("x", &v) < 0);
	CHECK(parse_duration_ms("5y", &v) < 0);
	CHECK(parse_duration_ms("-5", &v) < 0);
	CHECK(parse_uint("48000", 1, 768000, &v) == 0 && v == 48000);
	CHECK(parse_uint("0", 1, 10, &v) < 0);
	CHECK(parse_uint("12a", 1, 100, &v) < 0);
	CHECK(parse_uint("+5", 1, 100, &v) < 0);
	CHECK(parse_bool("yes", &b) == 0 && b == 1);
	CHECK(parse_bool("Off", &b) == 0 && b == 0);
	CHECK(parse_bool("maybe", &b) < 0);
}

int
main(void)
{
	test_parse();
	return check_done();
}
