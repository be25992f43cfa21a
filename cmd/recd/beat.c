/*
 * recd's heartbeat: every [health] heartbeat (first at start; none when
 * rec.conf does not set it; a last one at a clean stop), one
 * `rec-upload --heartbeat`, on its own timer, whatever the cycle does.
 * It takes no cycle lock and is not a child of the cycle, so a heartbeat
 * never delays an upload and a long upload never delays a heartbeat; at
 * most one runs at a time (a slot that finds one running is skipped),
 * and rec-upload bounds it (a minute at most).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "heartbeat.h"
#include "recd.h"

static pid_t beat_pid;		/* 0: none running */
static int64_t beat_next;	/* monotonic ms of the next one; 0 at once */

int
beat_settings(const struct conf *c, struct settings *s, struct err *e)
{
	uint64_t ms;
	int history, set;

	if ((set = heartbeat_conf(c, &ms, &history, e)) < 0)
		return -1;
	/* only when rec.conf asks: a station may have no store at all */
	s->heartbeat = set ? (int64_t)ms : 0;
	return 0;
}

/* Fork `rec-upload --heartbeat` (deadline: "" or its --deadline) into
 * beat_pid; logged on a failure. */
static void
beat_spawn(const char *deadline)
{
	const char *argv[10];
	pid_t pid, parent = getpid();
	int n = 0, nullfd;

	argv[n++] = "rec-upload";
	if (R.confpath[0] != '\0') {
		argv[n++] = "--config";
		argv[n++] = R.confpath;
	}
	argv[n++] = "--spool";
	argv[n++] = R.spooldir;
	argv[n++] = "--heartbeat";
	if (deadline[0] != '\0') {
		argv[n++] = "--deadline";
		argv[n++] = deadline;
	}
	argv[n] = NULL;
	if ((nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
		log_error("cannot open /dev/null: %s", strerror(errno));
		return;
	}
	pid = fork();
	if (pid < 0)
		log_error("cannot fork for the heartbeat: %s", strerror(errno));
	else if (pid == 0)
		exec_child(UPLOAD, argv, parent, nullfd);
	else
		beat_pid = pid;
	close(nullfd);
}

/* Start `rec-upload --heartbeat` when one is due and none runs. */
void
beat_act(int64_t now)
{
	if (R.set.heartbeat == 0 || R.mode == MODE_STOP || beat_pid != 0 ||
	    now < beat_next)
		return;
	beat_next = now + R.set.heartbeat;
	write_status(now, 1);	/* what the heartbeat reads is now */
	beat_spawn("");
}

/* Wait for the heartbeat that runs, and log how it ended. */
static void
beat_wait(void)
{
	pid_t pid = beat_pid;
	int wst;

	while (waitpid(pid, &wst, 0) < 0)
		if (errno != EINTR) {
			beat_pid = 0;
			return;
		}
	(void)beat_reaped(pid, wst);
}

/*
 * At a clean stop, after the last status: one last heartbeat, so that
 * the fleet sees this station stopped at once, not stale two intervals
 * later. One still running is stopped first; the last one has the
 * [recd] stop-timeout (rec-upload --deadline), and recd waits for it.
 */
void
beat_final(void)
{
	char deadline[32];

	if (R.set.heartbeat == 0)
		return;
	if (beat_pid != 0) {
		kill(beat_pid, SIGTERM);
		beat_wait();
	}
	snprintf(deadline, sizeof(deadline), "%llds", (long long)
	    (R.set.stop_timeout < 1000 ? 1 : R.set.stop_timeout / 1000));
	beat_spawn(deadline);
	if (beat_pid != 0)
		beat_wait();
}

/* When recd must wake for the next heartbeat (NEVER while one runs:
 * its exit wakes recd). */
int64_t
beat_wake(void)
{
	if (R.set.heartbeat == 0 || R.mode == MODE_STOP || beat_pid != 0)
		return NEVER;
	return beat_next;
}

/* 1 when pid was the heartbeat (its exit logged), else 0. */
int
beat_reaped(pid_t pid, int wst)
{
	char d[96];

	if (pid == 0 || pid != beat_pid)
		return 0;
	beat_pid = 0;
	if (WIFEXITED(wst) && WEXITSTATUS(wst) == 0)
		log_debug("heartbeat sent");
	else if (WIFEXITED(wst) && WEXITSTATUS(wst) == EX_TEMPFAIL)
		log_info("heartbeat not sent (exit 75): next in %llds",
		    (long long)(R.set.heartbeat / 1000));
	else
		log_warn("the heartbeat's rec-upload %s",
		    exit_desc(wst, d, sizeof(d)));
	return 1;
}
