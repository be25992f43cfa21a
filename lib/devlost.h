/*
 * devlost: DIR/device-lost, the file in which rec-capture says that its
 * audio device is gone (unplugged, a brown-out, not enumerated yet at
 * boot) while it waits for it to come back. It exists only while the
 * device is missing; recd reads it into DIR/status and rec-status shows
 * "device lost since T".
 *
 * Format: one line, "ISO-8601-UTC-TIME DEVICE\n" (lib/utc.h), the time
 * the loss began. Written with file_replace (tmp, fsync, rename, fsync
 * the directory), so a reader sees a whole file or none.
 */
#ifndef REC_DEVLOST_H
#define REC_DEVLOST_H

#include <stdint.h>

#define DEVLOST_FILE	"device-lost"

/* Say device is lost since since_ns (ns UTC); 0, or -1 with errno. */
int devlost_set(int dirfd, int64_t since_ns, const char *device);

/* Remove the file (the device is back, or nobody waits for it any
 * more); 0 (also when there was none), or -1 with errno. */
int devlost_clear(int dirfd);

/*
 * The time the device was lost into *since_ns: 1 when lost, 0 when the
 * file is absent (*since_ns = 0), -1 with errno when it cannot be read
 * (EINVAL: not in the format above).
 */
int devlost_read(int dirfd, int64_t *since_ns);

#endif
