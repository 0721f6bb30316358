/*
 * log — one line per event on stderr, plain text or JSON.
 *
 * A line is built whole and written with one write(2), so lines from worker threads never
 * interleave. Callers pass phone numbers already masked (text/mask.h); the log module
 * does not look inside values. Any thread may call it after log_init().
 */
#ifndef GAMIGATE_CORE_LOG_H
#define GAMIGATE_CORE_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
enum log_format { LOG_PLAIN, LOG_JSON };

/* Sets the threshold and the format; the defaults are info and plain. */
void log_init(enum log_level level, enum log_format format);
/* Parses "debug|info|warn|error"; 0 ok, -1 unknown. */
int log_level_parse(const char *s, enum log_level *level_r);
/* Parses "plain|json"; 0 ok, -1 unknown. */
int log_format_parse(const char *s, enum log_format *format_r);

/* Writes msg followed by key/value string pairs, ended by a NULL key:
 * log_kv(LOG_INFO, "listening", "addr", "127.0.0.1:8080", NULL). A NULL value is
 * written as an empty string. */
void log_kv(enum log_level level, const char *msg, ...) __attribute__((sentinel));

/* printf-style message without fields. */
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
