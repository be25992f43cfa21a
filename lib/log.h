/*
 * log: the one diagnostic format of every rec tool, on stderr and
 * optionally syslog:  "rec-upload: error: cannot rename ...: No space left"
 * Only cmd/ calls log_die(); lib/ never logs.
 * Whatever follows "AGE-SECRET-KEY-" (any case) in a line is masked with
 * '*' before it is written: a secret key never reaches a log, whoever
 * echoes it.
 */
#ifndef REC_LOG_H
#define REC_LOG_H

#include <stdnoreturn.h>

enum log_level { LOG_LVL_ERROR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Program name for every line (basename is taken); call first. */
void log_init(const char *argv0);
const char *log_prog(void);
/* Lines above this level are dropped: -q = WARN, default INFO, -v DEBUG. */
void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
/* Also send every line to syslog(3) (facility daemon). */
void log_use_syslog(int on);

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* log_error, then exit(ex). */
noreturn void log_die(int ex, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
