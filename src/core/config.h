/*
 * config — the daemon's settings: one table of keys (section, name, type, default, range,
 * help), filled from defaults, then an INI file, then GAMIGATE_SECTION_KEY environment
 * variables, then --set section.key=value, in that order.
 *
 * Every problem is reported as one line naming where the value came from (file:line,
 * the environment variable or the --set flag), the key, what is wrong and what is
 * expected; the caller prints them all and exits 2, so nothing starts half-configured.
 * The sample file conf/gamigate.conf is generated from the same table (config_sample),
 * and a test checks that the shipped file matches it.
 *
 * Not thread-safe while loading; read-only afterwards.
 */
#ifndef GAMIGATE_CORE_CONFIG_H
#define GAMIGATE_CORE_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "core/buf.h"

struct config {
	/* [http] */
	char *http_listen; /* as given: host:port */
	char *http_host;   /* derived from http_listen, without brackets */
	int http_port;     /* derived from http_listen; 0 = any free port */
	long long http_max_body_bytes;
	long long http_max_header_bytes;
	long long http_request_timeout_s;
	long long http_shutdown_grace_s;
	/* [database] */
	char *db_host;
	long long db_port;
	char *db_socket;
	char *db_user;
	char *db_password;
	char *db_name;
	long long db_pool_size;
	long long db_queue_max;
	long long db_batch_max;
	long long db_connect_timeout_s;
	long long db_read_timeout_s;
	long long db_write_timeout_s;
	long long db_health_interval_ms;
	/* [log] */
	char *log_level;
	char *log_format;
	/* [game] */
	char *game_timezone;
	long long game_country_code;
	long long game_expiry_interval_s;
	/* [admin] */
	char *admin_token;
	/* [inbound] */
	char *inbound_kannel_secret;
	char *inbound_json_secret;
	char *inbound_ussd_secret;
	char *inbound_json_reply; /* body | outbox */
	char *inbound_kannel_allow_ips;
	char *inbound_json_allow_ips;
	/* [sms] */
	char *sms_grammar_file;
	char *sms_templates_dir;
	char *sms_default_lang;
	long long sms_max_text_bytes;
	long long sms_rate_per_minute;
	long long sms_max_segments;
	long long sms_dedupe_window_s;
	/* [node] */
	char *node_name;
	/* [inbound] and [ussd]: the USSD endpoint */
	char *inbound_ussd_allow_ips;
	long long ussd_max_chars;
	long long ussd_max_ucs2;
	long long ussd_idle_timeout_s;
	long long ussd_session_timeout_s;
	long long ussd_keep_hours;
	/* [outbox] */
	char *outbox_provider;
	long long outbox_in_flight;
	long long outbox_rate_per_s;
	long long outbox_batch;
	long long outbox_poll_ms;
	long long outbox_lease_s;
	long long outbox_request_timeout_s;
	long long outbox_max_attempts;
	long long outbox_retry_base_ms;
	long long outbox_retry_max_s;
	long long outbox_breaker_failures;
	long long outbox_breaker_open_s;
	long long outbox_expire_s;
	char *outbox_quiet_start;
	char *outbox_quiet_end;
	long long outbox_promo_daily_cap;
	char *outbox_public_url;
	char *outbox_dlr_secret;
	char *outbox_kannel_url;
	char *outbox_kannel_user;
	char *outbox_kannel_password;
	char *outbox_kannel_from;
	char *outbox_http_url;
	char *outbox_http_format;
	char *outbox_http_auth_header;
	char *outbox_http_from;
	char *outbox_http_field_to;
	char *outbox_http_field_text;
	char *outbox_http_field_from;
	char *outbox_http_field_ref;
	char *outbox_http_field_callback;
	char *outbox_http_field_id;
	char *outbox_twilio_url;
	char *outbox_twilio_sid;
	char *outbox_twilio_token;
	char *outbox_twilio_from;
	long long outbox_scheduler_interval_ms;

	/* where each key's value came from, indexed like the key table */
	char **origins;
};

/* A config holding every default; never NULL. */
struct config *config_new(void);
void config_free(struct config *cfg);

/* Reads an INI file. Returns 0 when it was read without problems, -1 otherwise (each
 * problem appended to errors as a line ending in '\n'). A missing file is an error. */
int config_load_file(struct config *cfg, const char *path, struct buf *errors);

/* The same for an open stream; name stands for the file in messages. */
int config_load_stream(struct config *cfg, FILE *fp, const char *name, struct buf *errors);

/* Applies every GAMIGATE_<SECTION>_<KEY> variable of envp whose section is known
 * (other GAMIGATE_* names belong to the tools and are ignored). 0 ok, -1 problems. */
int config_apply_env(struct config *cfg, char *const *envp, struct buf *errors);

/* Applies one "section.key=value" assignment (from --set). 0 ok, -1 problem. */
int config_set(struct config *cfg, const char *assignment, struct buf *errors);

/* Checks what depends on the whole config (required keys). 0 ok, -1 problems. */
int config_finish(struct config *cfg, struct buf *errors);

/* Writes the commented sample configuration generated from the key table. */
void config_sample(FILE *out);

/* Writes the effective configuration, secrets masked, with each value's origin. */
void config_dump(const struct config *cfg, FILE *out);

/* Writes one line per key: name, type and range, default, help. */
void config_keys(FILE *out);

#endif
