/*
 * Unit tests: lib/spool (states, publish without replacing, quarantine,
 * listing, the lock, the trigger FIFO) and the spool's own safety: links,
 * FIFOs and loose permissions in place of its files and directories.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "spool.h"

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	fputs(text, fp);
	fclose(fp);
}

static void
test_spool(const char *dir)
{
	char path[512], **names;
	struct spool sp, sp2;
	struct err e;
	size_t n;
	uint64_t bytes;
	int fd;

	snprintf(path, sizeof(path), "%s/spool/deep", dir);
	CHECK(spool_open(&sp, path, &e) == 0);
	fd = spool_create_tmp(&sp, "b.wav");
	CHECK(fd >= 0);
	CHECK(write(fd, "xy", 2) == 2);
	close(fd);
	CHECK(spool_create_tmp(&sp, "b.wav") < 0 && errno == EEXIST);
	CHECK(spool_publish(&sp, SPOOL_TMP, "b.wav", SPOOL_SEG, NULL) == 0);
	fd = spool_create_tmp(&sp, "a.wav");
	close(fd);
	CHECK(spool_publish(&sp, SPOOL_TMP, "a.wav", SPOOL_SEG, NULL) == 0);
	fd = spool_create_tmp(&sp, "a.wav");
	close(fd);
	/* never replaces a published file */
	CHECK(spool_publish(&sp, SPOOL_TMP, "a.wav", SPOOL_SEG, NULL) < 0 &&
	    errno == EEXIST);
	CHECK(spool_quarantine(&sp, SPOOL_TMP, "a.wav") == 0);
	fd = spool_create_tmp(&sp, "a.wav");
	close(fd);
	CHECK(spool_quarantine(&sp, SPOOL_TMP, "a.wav") == 0);
	CHECK(spool_list(&sp, SPOOL_CORRUPT, NULL, &names, &n) == 0 && n == 2);
	CHECK_STR(names[0], "a.wav");
	CHECK_STR(names[1], "a.wav.1");
	spool_names_free(names, n);
	CHECK(spool_list(&sp, SPOOL_SEG, ".wav", &names, &n) == 0 && n == 2);
	CHECK_STR(names[0], "a.wav");
	CHECK_STR(names[1], "b.wav");
	spool_names_free(names, n);
	CHECK(spool_usage(&sp, SPOOL_SEG, NULL, &bytes, &n) == 0 &&
	    bytes == 2 && n == 2);
	CHECK(spool_remove(&sp, SPOOL_SEG, "a.wav") == 0);
	CHECK(spool_free_bytes(&sp, &bytes) == 0 && bytes > 0);
	/* the lock is exclusive between opens */
	CHECK(spool_open(&sp2, path, &e) == 0);
	CHECK(spool_lock_busy(&sp2) == 0);
	CHECK(spool_lock(&sp, 0) == 0);
	CHECK(spool_lock_busy(&sp2) == 1);
	CHECK(spool_lock(&sp2, 0) < 0 && errno == EWOULDBLOCK);
	spool_unlock(&sp);
	CHECK(spool_lock(&sp2, 0) == 0);
	spool_close(&sp2);
	/* no reader on the FIFO is not an error */
	CHECK(spool_trigger(&sp, "seg/b.wav") == 0);
	/* a file in place of a state directory */
	spool_close(&sp);
	snprintf(path, sizeof(path), "%s/notdir", dir);
	write_file(path, "x");
	CHECK(spool_open(&sp, path, &e) < 0 && e.ex == 73);
}

/* 1 when path holds exactly text. */
static int
has_text(const char *path, const char *text)
{
	char buf[256];
	FILE *fp = fopen(path, "r");
	size_t n;

	if (fp == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return strcmp(buf, text) == 0;
}

/*
 * A link in place of a spool file, the trigger or the lock is refused
 * and its target left alone (test_file: links and FIFOs are never
 * opened); the spool refuses group/other-writable or foreign
 * directories; locks are 0600.
 */
static void
test_spool_safety(const char *dir)
{
	char sp_dir[256], path[512], victim[512];
	struct spool sp;
	struct stat st;
	struct err e;

	snprintf(sp_dir, sizeof(sp_dir), "%s/safe", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	write_file(victim, "precious");
	CHECK(spool_open(&sp, sp_dir, &e) == 0);
	CHECK(fstat(sp.dirfd, &st) == 0 && (st.st_mode & 022) == 0);

	/*
	 * a link in out/ (rec-upload would send its target): not counted,
	 * not a name to create through (test_file: not opened either)
	 */
	snprintf(path, sizeof(path), "%s/out/x.tar", sp_dir);
	CHECK(symlink(victim, path) == 0);
	CHECK(spool_create_tmp(&sp, "../out/x.tar") < 0 && errno == EEXIST);
	{
		uint64_t bytes;
		size_t n;
		CHECK(spool_usage(&sp, SPOOL_OUT, NULL, &bytes, &n) == 0 &&
		    n == 0 && bytes == 0);
	}
	/* a file in place of the trigger FIFO gets no wake-up line */
	snprintf(path, sizeof(path), "%s/trigger", sp_dir);
	CHECK(unlink(path) == 0 && symlink(victim, path) == 0);
	CHECK(spool_trigger(&sp, "seg/a.wav") < 0 && errno == ELOOP);
	CHECK(unlink(path) == 0);
	write_file(path, "");
	CHECK(spool_trigger(&sp, "seg/a.wav") < 0 && errno == EINVAL);
	CHECK(has_text(path, ""));
	CHECK(unlink(path) == 0 && mkfifo(path, 0600) == 0);
	spool_close(&sp);

	/* a link at the lock (recd wrote its pid into the target) */
	snprintf(path, sizeof(path), "%s/lock", sp_dir);
	CHECK(unlink(path) == 0 && symlink(victim, path) == 0);
	CHECK(spool_open(&sp, sp_dir, &e) < 0 && e.ex == 77);
	CHECK(has_text(victim, "precious"));
	/* an old 0640 lock is made 0600: readers could flock it */
	CHECK(unlink(path) == 0);
	write_file(path, "");
	CHECK(chmod(path, 0640) == 0);
	CHECK(spool_open(&sp, sp_dir, &e) == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(chmod(path, 0644) == 0);
	CHECK(spool_lock(&sp, 0) == 0);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
	spool_close(&sp);

	/* group- or other-writable spool or state: refused (77) */
	CHECK(chmod(sp_dir, 0770) == 0);
	CHECK(spool_open(&sp, sp_dir, &e) < 0 && e.ex == 77 &&
	    strstr(e.msg, "writable by its group") != NULL);
	CHECK(chmod(sp_dir, 0757) == 0);
	CHECK(spool_open(&sp, sp_dir, &e) < 0 && e.ex == 77 &&
	    strstr(e.msg, "writable by others") != NULL);
	CHECK(chmod(sp_dir, 0750) == 0);
	snprintf(path, sizeof(path), "%s/out", sp_dir);
	CHECK(chmod(path, 01777) == 0);
	CHECK(spool_open(&sp, sp_dir, &e) < 0 && e.ex == 77 &&
	    strstr(e.msg, "/out") != NULL);
	CHECK(chmod(path, 0750) == 0);
	/* a state that is a link leads out of the spool */
	snprintf(path, sizeof(path), "%s/corrupt", sp_dir);
	CHECK(rmdir(path) == 0 && symlink(dir, path) == 0);
	CHECK(spool_open(&sp, sp_dir, &e) < 0 && e.ex == 77);
	CHECK(unlink(path) == 0);
	CHECK(spool_open(&sp, sp_dir, &e) == 0);
	spool_close(&sp);
	/* owned by someone else (needs root to set up) */
	if (geteuid() == 0) {
		CHECK(chown(sp_dir, 4242, 4242) == 0);
		CHECK(spool_open(&sp, sp_dir, &e) < 0 && e.ex == 77 &&
		    strstr(e.msg, "owned by uid 4242") != NULL);
		CHECK(chown(sp_dir, 0, 0) == 0);
	} else {
		printf("skip: not root, cannot chown to test a foreign spool\n");
	}
	CHECK(has_text(victim, "precious"));
}

/*
 * recd runs when DIR/recd.lock is held: absent or free is 0, held
 * (another open file description, as recd's) is 1, a link is -1 ELOOP.
 */
static void
test_recd_alive(const char *dir)
{
	char path[512], link[512];
	int dfd, fd;

	snprintf(path, sizeof(path), "%s/alive", dir);
	CHECK(mkdir(path, 0700) == 0);
	dfd = open(path, O_RDONLY | O_DIRECTORY);
	CHECK(dfd >= 0);
	CHECK(spool_recd_alive(dfd) == 0);
	snprintf(path, sizeof(path), "%s/alive/recd.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	CHECK(spool_recd_alive(dfd) == 0);
	CHECK(flock(fd, LOCK_EX | LOCK_NB) == 0);
	CHECK(spool_recd_alive(dfd) == 1);
	CHECK(spool_recd_alive(dfd) == 1);	/* the test takes nothing */
	close(fd);
	CHECK(spool_recd_alive(dfd) == 0);
	snprintf(link, sizeof(link), "%s/alive/target", dir);
	CHECK(rename(path, link) == 0);
	CHECK(symlink(link, path) == 0);
	CHECK(spool_recd_alive(dfd) == -1 && errno == ELOOP);
	close(dfd);
}

int
main(void)
{
	char dir[] = "/tmp/test_spool.XXXXXX", cmd[600];

	if (mkdtemp(dir) == NULL)
		return 2;
	test_spool(dir);
	test_spool_safety(dir);
	test_recd_alive(dir);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 2;
	return check_done();
}
