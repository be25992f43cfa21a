/*
 * syslogsock: openlog(3) and syslog(3) for tests, without root and without
 * /dev/log. With REC_SYSLOG_SOCK set, every message is one datagram in
 * glibc's own format, "<PRI>Mmm dd hh:mm:ss IDENT[PID]: MESSAGE", sent to
 * that AF_UNIX datagram socket; without it the real functions run.
 * Why not redirect connect(2) to /dev/log: glibc's syslog calls its
 * internal __connect, which no LD_PRELOAD can replace. So the shim stands
 * in at the API, and a test sees exactly what the program passed to
 * openlog (ident, LOG_PID, facility) and to syslog (priority, text).
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

extern char *program_invocation_short_name;

static const char *ident;
static int option, facility = LOG_USER, sock = -1;

void openlog(const char *, int, int);
void closelog(void);
void syslog(int, const char *, ...) __attribute__((format(printf, 2, 3)));
void vsyslog(int, const char *, va_list) __attribute__((format(printf, 2, 0)));
void __syslog_chk(int, int, const char *, ...)
	__attribute__((format(printf, 3, 4)));
void __vsyslog_chk(int, int, const char *, va_list)
	__attribute__((format(printf, 3, 0)));
static void send_msg(const char *, int, const char *, va_list)
	__attribute__((format(printf, 3, 0)));

/* The socket the test listens on, or NULL: use the real syslog. */
static const char *
sock_path(void)
{
	const char *p = getenv("REC_SYSLOG_SOCK");

	return p != NULL && *p != '\0' ? p : NULL;
}

void
openlog(const char *id, int opt, int fac)
{
	void (*real)(const char *, int, int);

	if (sock_path() == NULL) {
		real = (void (*)(const char *, int, int))dlsym(RTLD_NEXT,
		    "openlog");
		if (real != NULL)
			real(id, opt, fac);
		return;
	}
	ident = id;
	option = opt;
	if (fac != 0 && (fac & ~LOG_FACMASK) == 0)
		facility = fac;
}

void
closelog(void)
{
	void (*real)(void);

	if (sock_path() == NULL) {
		real = (void (*)(void))dlsym(RTLD_NEXT, "closelog");
		if (real != NULL)
			real();
		return;
	}
	if (sock >= 0)
		close(sock);
	sock = -1;
	ident = NULL;
	option = 0;
	facility = LOG_USER;
}

/* One message as one datagram to REC_SYSLOG_SOCK (as glibc formats it). */
static void
send_msg(const char *path, int pri, const char *fmt, va_list ap)
{
	struct sockaddr_un sa;
	char msg[2048], line[2300], stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int saved = errno, n, h;

	if ((pri & LOG_FACMASK) == 0)
		pri |= facility;
	errno = saved;		/* for %m */
	vsnprintf(msg, sizeof(msg), fmt, ap);
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%h %e %T", &tm);
	h = snprintf(line, sizeof(line), "<%d>%s ", pri, stamp);
	if (option & LOG_PID)
		n = snprintf(line + h, sizeof(line) - h, "%s[%ld]: %s",
		    ident ? ident : program_invocation_short_name,
		    (long)getpid(), msg);
	else
		n = snprintf(line + h, sizeof(line) - h, "%s: %s",
		    ident ? ident : program_invocation_short_name, msg);
	if (n < 0)
		n = 0;
	if ((size_t)(h + n) >= sizeof(line))
		n = (int)sizeof(line) - 1 - h;
	if (option & LOG_PERROR)
		dprintf(STDERR_FILENO, "%s\n", line + h);
	if (sock < 0)
		sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (sock >= 0)
		(void)sendto(sock, line, (size_t)(h + n), 0,
		    (struct sockaddr *)&sa, sizeof(sa));
	errno = saved;
}

void
vsyslog(int pri, const char *fmt, va_list ap)
{
	void (*real)(int, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
	const char *path = sock_path();

	if (path == NULL) {
		real = (void (*)(int, const char *, va_list))dlsym(RTLD_NEXT,
		    "vsyslog");
		if (real != NULL)
			real(pri, fmt, ap);
		return;
	}
	send_msg(path, pri, fmt, ap);
}

void
syslog(int pri, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsyslog(pri, fmt, ap);
	va_end(ap);
}

/* The _FORTIFY_SOURCE entry points. */
void
__vsyslog_chk(int pri, int flag, const char *fmt, va_list ap)
{
	(void)flag;
	vsyslog(pri, fmt, ap);
}

void
__syslog_chk(int pri, int flag, const char *fmt, ...)
{
	va_list ap;

	(void)flag;
	va_start(ap, fmt);
	vsyslog(pri, fmt, ap);
	va_end(ap);
}
