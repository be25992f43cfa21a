/*
 * parse: integers, sizes with K/M/G/T suffixes, durations, booleans.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

/* The decimal digits s starts with (at least one): 0, or -1 with errno
 * EINVAL (no digit) or ERANGE; *end after the digits. */
static int
leading_u64(const char *s, unsigned long long *v, char **end)
{
	if (s == NULL || !isdigit((unsigned char)*s)) {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	*v = strtoull(s, end, 10);
	return errno == ERANGE ? -1 : 0;
}

int
parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (leading_u64(s, &v, &end) < 0)
		return -1;
	if (*end != '\0') {
		errno = EINVAL;
		return -1;
	}
	if (v < min || v > max) {
		errno = ERANGE;
		return -1;
	}
	*out = v;
	return 0;
}

int
parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	uint64_t mul = 1;
	char *end;

	if (leading_u64(s, &v, &end) < 0)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case '\0': break;
	case 'K': mul = 1ULL << 10; end++; break;
	case 'M': mul = 1ULL << 20; end++; break;
	case 'G': mul = 1ULL << 30; end++; break;
	case 'T': mul = 1ULL << 40; end++; break;
	case 'B': break;
	default:
		errno = EINVAL;
		return -1;
	}
	if (mul > 1 && (*end == 'i' || *end == 'I'))
		end++;
	if (*end == 'b' || *end == 'B')
		end++;
	if (*end != '\0') {
		errno = EINVAL;
		return -1;
	}
	if (v > UINT64_MAX / mul) {
		errno = ERANGE;
		return -1;
	}
	*out = v * mul;
	return 0;
}

int
parse_duration_ms(const char *s, uint64_t *out_ms)
{
	double total = 0, v;
	const char *p = s;
	char *end;

	if (s == NULL || *s == '\0') {
		errno = EINVAL;
		return -1;
	}
	while (*p) {
		if (!isdigit((unsigned char)*p) && *p != '.') {
			errno = EINVAL;
			return -1;
		}
		errno = 0;
		v = strtod(p, &end);
		if (end == p || errno == ERANGE) {
			errno = end == p ? EINVAL : ERANGE;
			return -1;
		}
		p = end;
		if (strncmp(p, "ms", 2) == 0) {
			v /= 1000;
			p += 2;
		} else if (*p == 's') {
			p++;
		} else if (*p == 'm') {
			v *= 60;
			p++;
		} else if (*p == 'h') {
			v *= 3600;
			p++;
		} else if (*p == 'd') {
			v *= 86400;
			p++;
		} else if (*p != '\0') {
			errno = EINVAL;
			return -1;
		}
		total += v;
	}
	if (total * 1000 > 1e15) {
		errno = ERANGE;
		return -1;
	}
	*out_ms = (uint64_t)(total * 1000 + 0.5);
	return 0;
}

int
parse_bool(const char *s, int *out)
{
	static const char *yes[] = { "1", "yes", "true", "on" };
	static const char *no[] = { "0", "no", "false", "off" };
	size_t i;

	for (i = 0; s != NULL && i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	errno = EINVAL;
	return -1;
}
