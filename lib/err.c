/*
 * err: fill a struct err with a sysexits code and a one-line message.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "err.h"

static void
vset(struct err *e, int ex, const char *fmt, va_list ap)
{
	e->ex = ex;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

void
err_set(struct err *e, int ex, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vset(e, ex, fmt, ap);
	va_end(ap);
}

void
err_sys(struct err *e, int ex, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	size_t n;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vset(e, ex, fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	if (n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - n, ": %s",
		    strerror(saved));
	errno = saved;
}

int
err_ex_for_errno(int errnum)
{
	switch (errnum) {
	case EACCES:
	case EPERM:
		return EX_NOPERM;
	case EROFS:	/* a card remounted read-only: an I/O failure */
		return EX_IOERR;
	case ENOENT:
	case ENOTDIR:
		return EX_NOINPUT;
	case ENOMEM:
		return EX_OSERR;
	case ENOSPC:
	case EDQUOT:
	case EAGAIN:
	case EINTR:
	case EBUSY:
		return EX_TEMPFAIL;
	default:
		return EX_IOERR;
	}
}
