/*
 * Unit tests of lib/tmpfile: a file in the spool's tmp/ committed into a
 * state or rolled back; a rolled-back file is gone, a failed commit
 * leaves it for the rollback, and cleanup is safe in every state.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "spool.h"
#include "tmpfile.h"

/* 1 when state/name exists (a link counts), 0 when not. */
static int
exists(struct spool *sp, enum spool_state st, const char *name)
{
	return faccessat(sp->fd[st], name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* The content of state/name, up to len - 1 bytes, NUL-terminated. */
static const char *
content(struct spool *sp, enum spool_state st, const char *name, char *buf,
    size_t len)
{
	int fd = openat(sp->fd[st], name, O_RDONLY);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return buf;
	n = read(fd, buf, len - 1);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	return buf;
}

static void
test_commit(struct spool *sp)
{
	struct tmpfile t = TMPFILE_INIT;
	char buf[64];

	CHECK(tmpfile_create(&t, sp, "a.part") == 0);
	CHECK(t.active && t.fd >= 0 && exists(sp, SPOOL_TMP, "a.part"));
	CHECK(write(t.fd, "abc", 3) == 3);
	CHECK(tmpfile_sync(&t) == 0);
	/* commit closes the fd and renames into the state */
	CHECK(tmpfile_commit(&t, SPOOL_OUT, "a") == 0);
	CHECK(!t.active && t.fd == -1);
	CHECK(!exists(sp, SPOOL_TMP, "a.part"));
	CHECK_STR(content(sp, SPOOL_OUT, "a", buf, sizeof buf), "abc");
	/* a rollback after a commit leaves the committed file alone */
	tmpfile_rollback(&t);
	CHECK(exists(sp, SPOOL_OUT, "a"));
	CHECK(tmpfile_commit(&t, SPOOL_OUT, "a") < 0 && errno == EINVAL);
	CHECK(tmpfile_sync(&t) < 0 && errno == EBADF);

	/* closed first, same name */
	CHECK(tmpfile_create(&t, sp, "b.idx") == 0);
	CHECK(write(t.fd, "x", 1) == 1);
	CHECK(tmpfile_sync(&t) == 0);
	CHECK(tmpfile_close(&t) == 0 && t.fd == -1 && t.active);
	CHECK(tmpfile_close(&t) == 0);
	CHECK(tmpfile_sync(&t) < 0 && errno == EBADF);
	CHECK(exists(sp, SPOOL_TMP, "b.idx"));
	CHECK(tmpfile_commit(&t, SPOOL_OUT, NULL) == 0);
	CHECK(exists(sp, SPOOL_OUT, "b.idx") && !exists(sp, SPOOL_TMP,
	    "b.idx"));
}

static void
test_rollback(struct spool *sp)
{
	struct tmpfile t, u;
	char buf[64];

	/* a zeroed struct is inactive: cleanup does nothing, twice */
	memset(&t, 0, sizeof t);
	tmpfile_rollback(&t);
	tmpfile_rollback(&t);
	tmpfile_init(&u);
	tmpfile_rollback(&u);
	CHECK(u.fd == -1 && !u.active);

	/* with its fd open: gone, and again is harmless; errno kept */
	CHECK(tmpfile_create(&t, sp, "c.part") == 0);
	CHECK(write(t.fd, "abc", 3) == 3);
	errno = ENOSPC;
	tmpfile_rollback(&t);
	CHECK(errno == ENOSPC);
	CHECK(!t.active && t.fd == -1 && !exists(sp, SPOOL_TMP, "c.part"));
	tmpfile_rollback(&t);
	CHECK(!exists(sp, SPOOL_TMP, "c.part"));

	/* with its fd closed */
	CHECK(tmpfile_create(&t, sp, "c.part") == 0);
	CHECK(tmpfile_close(&t) == 0);
	tmpfile_rollback(&t);
	CHECK(!exists(sp, SPOOL_TMP, "c.part"));

	/* a failed commit (the name is taken) moves nothing and stays
	 * active: the rollback removes the tmp file, not the target */
	CHECK(tmpfile_create(&t, sp, "a.part") == 0);
	CHECK(write(t.fd, "new", 3) == 3);
	CHECK(tmpfile_commit(&t, SPOOL_OUT, "a") < 0 && errno == EEXIST);
	CHECK(t.active && exists(sp, SPOOL_TMP, "a.part"));
	tmpfile_rollback(&t);
	tmpfile_rollback(&t);
	CHECK(!exists(sp, SPOOL_TMP, "a.part"));
	CHECK_STR(content(sp, SPOOL_OUT, "a", buf, sizeof buf), "abc");
}

static void
test_create(struct spool *sp)
{
	struct tmpfile t = TMPFILE_INIT, u = TMPFILE_INIT;
	char longname[NAME_MAX + 2];
	int fd;

	/* O_EXCL: a taken name is refused, t stays inactive, and the
	 * rollback of the failed create leaves the other's file */
	CHECK(tmpfile_create(&t, sp, "d.part") == 0);
	CHECK(tmpfile_create(&u, sp, "d.part") < 0 && errno == EEXIST);
	CHECK(!u.active && u.fd == -1);
	tmpfile_rollback(&u);
	CHECK(exists(sp, SPOOL_TMP, "d.part"));
	/* an active tmpfile cannot be created again */
	CHECK(tmpfile_create(&t, sp, "e.part") < 0 && errno == EINVAL);
	CHECK(!exists(sp, SPOOL_TMP, "e.part"));
	tmpfile_rollback(&t);
	CHECK(!exists(sp, SPOOL_TMP, "d.part"));
	/* reusable after a rollback */
	CHECK(tmpfile_create(&t, sp, "d.part") == 0);
	tmpfile_rollback(&t);

	/* never through a link */
	CHECK(symlinkat("../out/a", sp->fd[SPOOL_TMP], "f.part") == 0);
	CHECK(tmpfile_create(&t, sp, "f.part") < 0 && errno == EEXIST);
	unlinkat(sp->fd[SPOOL_TMP], "f.part", 0);

	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	CHECK(tmpfile_create(&t, sp, longname) < 0 &&
	    errno == ENAMETOOLONG && !t.active);

	/* mode 0640, like spool_create_tmp */
	CHECK(tmpfile_create(&t, sp, "g.part") == 0);
	fd = t.fd;
	{
		struct stat st;
		CHECK(fstat(fd, &st) == 0 && (st.st_mode & 07777) ==
		    (0640 & ~(mode_t)022));
	}
	tmpfile_rollback(&t);
}

int
main(void)
{
	char dir[] = "/tmp/test_tmpfile.XXXXXX", path[600], cmd[600];
	struct spool sp;
	struct err e;

	if (mkdtemp(dir) == NULL)
		return 2;
	umask(022);
	snprintf(path, sizeof path, "%s/spool", dir);
	CHECK(spool_open(&sp, path, &e) == 0);
	test_commit(&sp);
	test_rollback(&sp);
	test_create(&sp);
	spool_close(&sp);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 2;
	return check_done();
}
