/*
 * conf_keys: every key rec.conf may hold, per section. Each tool's
 * engineer owns the array of that tool's section; keep man/rec.conf.5 in
 * step with this file.
 */
#include <stddef.h>

#include "conf.h"

static const char *const top_keys[] = {
	"spool", "station",
	"latitude", "longitude", "elevation", "height",	/* lib/schedule, lib/sun */
	NULL
};

static const char *const capture_keys[] = {
	"device", "rate", "channels", "format", "duration", "segment",
	"align", "buffer", "verbose", "quiet", "device-wait", "clock-sync",
	"clock-sync-timeout", NULL
};

static const char *const archive_keys[] = {
	"min-count", "min-bytes", "max-age", "codec", "compress",
	"max-bytes", "recipient", "recipients-file", "wait", "flac-level",
	"verbose", "quiet", NULL
};

static const char *const upload_keys[] = {
	"endpoint", "region", "bucket", "prefix", "key-template",
	"addressing", "part-size", "multipart-threshold",
	"credentials-file", "profile", "limit-rate", "monthly-budget",
	"retry", "deadline", "wait", "timeout", "ca-file", "verbose",
	"resolve",
	"quiet", "stale-after", "max-tries", "insecure-http",
	"window", "while-recording",	/* recd: when uploads run */
	"daily-budget",
	NULL
};

static const char *const recd_keys[] = {
	"interval", "cycle-timeout", "drain-deadline", "stop-timeout",
	"backoff-max", "syslog", "verbose", "quiet", NULL
};

static const char *const schedule_keys[] = {
	"timezone", "period", "duty", "start-date", "end-date", "every", NULL
};

static const char *const health_keys[] = {
	"silence-floor", "silence-for", "clip-fraction", "hum-share",
	"free-space-floor", "pending-age", "upload-age", "clock-unsynced",
	"heartbeat", "heartbeat-history", NULL
};

const struct conf_section conf_sections[] = {
	{ "", top_keys },
	{ "capture", capture_keys },
	{ "archive", archive_keys },
	{ "upload", upload_keys },
	{ "recd", recd_keys },
	{ "schedule", schedule_keys },
	{ "health", health_keys },
	{ NULL, NULL }
};
