/*
 * log: "prog: severity: message" lines on stderr (one write(2) each, so
 * lines from several processes sharing a log do not interleave), and
 * optionally syslog.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sysexits.h>
#include <unistd.h>

#include "log.h"

static char prog[64] = "rec";
static enum log_level level = LOG_LVL_INFO;
static int use_syslog;

void
log_init(const char *argv0)
{
	const char *slash = argv0 ? strrchr(argv0, '/') : NULL;

	if (argv0 != NULL)
		snprintf(prog, sizeof(prog), "%s", slash ? slash + 1 : argv0);
}

const char *
log_prog(void)
{
	return prog;
}

void
log_set_level(enum log_level lvl)
{
	level = lvl;
}

enum log_level
log_get_level(void)
{
	return level;
}

void
log_use_syslog(int on)
{
	if (on && !use_syslog)
		openlog(prog, LOG_PID, LOG_DAEMON);
	use_syslog = on;
}

/*
 * Mask what follows every "AGE-SECRET-KEY-" (any case) in s with '*':
 * the last line of defence for a secret key pasted where a recipient or
 * another value belongs and echoed by some message. Length is kept.
 */
static void
redact_secret_keys(char *s)
{
	static const char marker[] = "AGE-SECRET-KEY-";
	char *p = s;

	while ((p = strcasestr(p, marker)) != NULL) {
		p += sizeof(marker) - 1;
		for (; (*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z') || *p == '-'; p++)
			*p = '*';
	}
}

static void emit(enum log_level, const char *, va_list)
	__attribute__((format(printf, 2, 0)));

static void
emit(enum log_level lvl, const char *fmt, va_list ap)
{
	static const char *names[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char line[2048];
	int saved = errno, n, m;

	if (lvl > level)
		return;
	n = snprintf(line, sizeof(line), "%s: %s: ", prog, names[lvl]);
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	if (m < 0)
		m = 0;
	if ((size_t)(n + m) > sizeof(line) - 2)
		m = sizeof(line) - 2 - n;
	line[n + m] = '\0';
	redact_secret_keys(line + n);
	/* syslog gets the same (redacted) text, not the format again */
	if (use_syslog)
		syslog(prio[lvl], "%s", line + n);
	line[n + m] = '\n';
	(void)!write(STDERR_FILENO, line, n + m + 1);
	errno = saved;
}

#define LOG_FN(name, lvl) \
void name(const char *fmt, ...) \
{ \
	va_list ap; \
	va_start(ap, fmt); \
	emit(lvl, fmt, ap); \
	va_end(ap); \
}

LOG_FN(log_error, LOG_LVL_ERROR)
LOG_FN(log_warn, LOG_LVL_WARN)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_debug, LOG_LVL_DEBUG)

void
log_die(int ex, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit(LOG_LVL_ERROR, fmt, ap);
	va_end(ap);
	exit(ex);
}
