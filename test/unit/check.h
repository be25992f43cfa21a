/*
 * check: a minimal unit-test harness. CHECK(cond) records a failure with
 * file:line and goes on; check_done() prints a summary line and returns
 * the exit status for main().
 */
#ifndef REC_CHECK_H
#define REC_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures, check_count;

#define CHECK(cond) do { \
	check_count++; \
	if (!(cond)) { \
		check_failures++; \
		fprintf(stderr, "%s:%d: check failed: %s\n", \
		    __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *check_a_ = (a), *check_b_ = (b); \
	check_count++; \
	if (check_a_ == NULL || check_b_ == NULL || \
	    strcmp(check_a_, check_b_) != 0) { \
		check_failures++; \
		fprintf(stderr, "%s:%d: \"%s\" != \"%s\"\n", __FILE__, \
		    __LINE__, check_a_ ? check_a_ : "(null)", \
		    check_b_ ? check_b_ : "(null)"); \
	} \
} while (0)

static inline int
check_done(void)
{
	printf("%d checks, %d failed\n", check_count, check_failures);
	return check_failures ? 1 : 0;
}

#endif
