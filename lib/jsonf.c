/*
 * jsonf: lenient jansson field getters and the time setter shared by
 * status.json and health.json (lib/status, lib/heartbeat).
 */
#include <stdio.h>
#include <sysexits.h>

#include "jsonf.h"
#include "utc.h"

json_t *
jsonf_load(const char *text, size_t len, int version, const char *what,
    struct err *e)
{
	json_t *root, *v;
	json_error_t je;

	root = json_loadb(text, len, 0, &je);
	if (root == NULL) {
		err_set(e, EX_DATAERR, "not JSON: line %d: %s", je.line,
		    je.text);
		return NULL;
	}
	v = json_object_get(root, "version");
	if (!json_is_object(root) || !json_is_integer(v) ||
	    json_integer_value(v) != version) {
		err_set(e, EX_DATAERR, "not a version %d %s", version, what);
		json_decref(root);
		return NULL;
	}
	return root;
}

json_t *
jsonf_time(int64_t ns)
{
	char buf[40];

	if (ns == 0)
		return json_null();
	/* not through a timespec: its time_t may be 32 bits */
	return json_string(utc_iso_ns(ns, buf, sizeof(buf)));
}

uint64_t
jsonf_get_uint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) && json_integer_value(v) > 0 ?
	    (uint64_t)json_integer_value(v) : 0;
}

void
jsonf_get_str(json_t *o, const char *key, char *buf, size_t len)
{
	json_t *v = json_object_get(o, key);

	snprintf(buf, len, "%s", json_is_string(v) ? json_string_value(v) : "");
}

int
jsonf_get_time(json_t *o, const char *key, int64_t *ns)
{
	json_t *v = json_object_get(o, key);

	*ns = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v) ||
	    utc_parse_iso_ns(json_string_value(v), ns) < 0) {
		*ns = 0;
		return -1;
	}
	return 0;
}
