/*
 * test_clock: the clock fit (lib/clockfit) on cards of known rates, with
 * and without jitter, far from its origin, warming up, and read faster
 * than real time; DIR/clock-wait written, read back, removed, refused
 * when malformed; the kernel's clock state read without error.
 */
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "clock.h"
#include "clockfit.h"
#include "file.h"

#define NS	1000000000LL

static uint64_t rng = 88172645463325252ULL;

/* Uniform in [-1, 1). */
static double
noise(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / (double)(1ULL << 52) - 1;
}

/*
 * A card of nominal rate nom whose true rate is truehz, read every
 * `every` frames for `secs` seconds from frame x0 at time y0, each
 * timestamp off by up to jitter_ns: the fit's largest error at the
 * points after the first warm seconds.
 */
static double
run(struct clockfit *f, unsigned nom, double truehz, uint64_t x0, int64_t y0,
    unsigned every, double secs, double jitter_ns)
{
	uint64_t x, end = x0 + (uint64_t)(secs * nom);
	double worst = 0, err;
	int64_t y;

	for (x = x0; x < end; x += every) {
		y = y0 + (int64_t)llround((double)(x - x0) * 1e9 / truehz +
		    jitter_ns * noise());
		clockfit_add(f, x, y);
		if ((double)(x - x0) < 30.0 * nom)
			continue;
		err = fabs((double)(clockfit_at(f, x) - (y0 +
		    (int64_t)llround((double)(x - x0) * 1e9 / truehz))));
		if (err > worst)
			worst = err;
	}
	return worst;
}

static void
test_fit(void)
{
	struct clockfit f;
	double worst;

	/* A perfect card 100 ppm fast: its rate to a thousandth of a ppm,
	 * its times to the nanosecond. */
	clockfit_init(&f, 48000, 600);
	worst = run(&f, 48000, 48004.8, 0, 1000 * NS, 4800, 120, 0);
	CHECK(clockfit_measured(&f));
	CHECK(fabs(clockfit_rate(&f) - 48004.8) < 0.001 * 0.048);
	CHECK(worst < 5);

	/* Timestamps off by up to 200 us: the rate within 1 ppm after ten
	 * minutes, the times within 50 us (the jitter averaged out). */
	clockfit_init(&f, 48000, 600);
	worst = run(&f, 48000, 47995.2, 4800, 5 * NS, 4800, 600, 200000);
	CHECK(fabs(clockfit_rate(&f) - 47995.2) < 0.048);
	CHECK(worst < 50000);

	/* Half a year of frames at 192 kHz before the points: no
	 * precision lost to the size of the numbers. */
	clockfit_init(&f, 192000, 600);
	worst = run(&f, 192000, 192000 * (1 + 37e-6), 3000000000000ULL,
	    4000000000000000000LL, 19200, 300, 0);
	CHECK(fabs(clockfit_rate(&f) / 192000 - 1 - 37e-6) < 1e-9);
	CHECK(worst < 5);

	/* A card warming up: +100 ppm, then +40 ppm. The fit follows
	 * within 1 ppm in 15 memories (60 s here). */
	clockfit_init(&f, 48000, 60);
	run(&f, 48000, 48004.8, 0, 0, 4800, 300, 0);
	{
		uint64_t x0 = 300 * 48000;
		int64_t y0 = clockfit_at(&f, x0);

		run(&f, 48000, 48001.92, x0, y0, 4800, 900, 0);
	}
	CHECK(fabs(clockfit_rate(&f) - 48001.92) < 0.048);
}

static void
test_nominal(void)
{
	struct clockfit f;

	/* Less than two seconds of points: the nominal rate from the
	 * first point. */
	clockfit_init(&f, 8000, 600);
	clockfit_add(&f, 0, 1000);
	CHECK(!clockfit_measured(&f));
	CHECK(clockfit_rate(&f) == 8000);
	CHECK(clockfit_at(&f, 0) == 1000);
	CHECK(clockfit_at(&f, 8000) == 1000 + NS);
	clockfit_add(&f, 800, 1000 + NS / 10 + 400);
	clockfit_add(&f, 1600, 1000 + NS / 5 + 800);
	CHECK(!clockfit_measured(&f));
	CHECK(clockfit_at(&f, 800) == 1000 + NS / 10);

	/* A source read ten times faster than real time has no clock:
	 * the nominal rate. */
	clockfit_init(&f, 8000, 600);
	run(&f, 8000, 80000, 0, 0, 800, 60, 0);
	CHECK(!clockfit_measured(&f));
	CHECK(clockfit_rate(&f) == 8000);
	CHECK(clockfit_at(&f, 8000 * 50) == 50 * NS);
}

static void
test_wait_file(void)
{
	char dir[] = "/tmp/test_clock.XXXXXX", *text;
	int64_t a = 1795835700123456000LL, b = a + 600 * NS, s = -1, u = -1;
	size_t len;
	int fd;

	CHECK(mkdtemp(dir) != NULL);
	fd = open(dir, O_RDONLY | O_DIRECTORY);
	CHECK(fd >= 0);
	CHECK(clockwait_read(fd, &s, &u) == 0 && s == 0 && u == 0);
	CHECK(clockwait_clear(fd) == 0);
	CHECK(clockwait_set(fd, a, b) == 0);
	CHECK(file_slurp(fd, CLOCKWAIT_FILE, 4096, &text, &len) == 0);
	CHECK_STR(text, "2026-11-28T03:15:00.123456Z 2026-11-28T03:25:00.123456Z\n");
	free(text);
	CHECK(clockwait_read(fd, &s, &u) == 1 && s == a && u == b);
	CHECK(file_replace(fd, CLOCKWAIT_FILE, "2026-11-28T03:15:00Z\n", 21,
	    0644) == 0);
	CHECK(clockwait_read(fd, &s, &u) == -1 && s == 0 && u == 0);
	CHECK(file_replace(fd, CLOCKWAIT_FILE, "soon later\n", 11, 0644) == 0);
	CHECK(clockwait_read(fd, &s, &u) == -1);
	CHECK(clockwait_clear(fd) == 0);
	CHECK(clockwait_read(fd, &s, &u) == 0);
	close(fd);
	CHECK(rmdir(dir) == 0);
}

int
main(void)
{
	struct clock_state cs;
	int64_t off;

	test_fit();
	test_nominal();
	test_wait_file();
	/* Whatever the machine's clock says, it can be read. */
	CHECK(clock_state_read(&cs) == 0);
	CHECK(cs.max_error_ns >= 0 && cs.est_error_ns >= 0);
	off = clock_offset_ns(CLOCK_MONOTONIC_RAW);
	CHECK(llabs(clock_ns(CLOCK_REALTIME) - (clock_ns(CLOCK_MONOTONIC_RAW) +
	    off)) < NS);
	return check_done();
}
