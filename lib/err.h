/*
 * err: an error description that lib/ fills and cmd/ prints.
 * lib/ functions that need to say more than errno take a struct err *,
 * return -1 and fill it; cmd/ logs e->msg and exits with e->ex.
 */
#ifndef REC_ERR_H
#define REC_ERR_H

#include <stddef.h>

struct err {
	int ex;			/* suggested sysexits code (EX_*) */
	char msg[512];		/* "cannot open seg/x.wav: No such file or directory" */
};

/* Fill e (when not NULL) with code ex and a formatted message. */
void err_set(struct err *e, int ex, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like err_set, then append ": strerror(errno)"; errno is kept. */
void err_sys(struct err *e, int ex, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* sysexits code that fits an errno value from a failed write/create. */
int err_ex_for_errno(int errnum);

#endif
