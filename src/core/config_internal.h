/*
 * config (internal) — the key table's shape, shared by config.c (reading, checking,
 * printing) and config_keys.c (the table itself). Nothing outside src/core/config*.c
 * includes this.
 */
#ifndef GAMIGATE_CORE_CONFIG_INTERNAL_H
#define GAMIGATE_CORE_CONFIG_INTERNAL_H

#include <stddef.h>

enum config_type {
	CONFIG_STR,    /* any text */
	CONFIG_INT,    /* whole number in [min, max] */
	CONFIG_ENUM,   /* one of choices, "a|b|c" */
	CONFIG_LISTEN, /* host:port */
	CONFIG_TZ,     /* an IANA time zone name */
	CONFIG_SECRET, /* empty, or at least 16 printable characters without spaces */
	CONFIG_IPLIST, /* comma separated IPv4/IPv6 addresses or CIDR ranges */
};

#define CONFIG_REQUIRED 0x1

struct config_key {
	const char *section;
	const char *name;
	enum config_type type;
	size_t offset;
	const char *def;
	long long min, max;
	const char *choices;
	unsigned flags;
	const char *help;
};

/* Every setting, in the order of the sample file (config_keys.c). */
extern const struct config_key config_keys_table[];
extern const size_t config_keys_count;

#endif
