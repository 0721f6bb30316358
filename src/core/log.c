/*
 * log — one line per event on stderr, plain text or JSON. Any thread.
 */
#include "core/log.h"
#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static enum log_level log_threshold = LOG_INFO;
static enum log_format log_fmt = LOG_PLAIN;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void
log_init(enum log_level level, enum log_format format)
{
	log_threshold = level;
	log_fmt = format;
}

int
log_level_parse(const char *s, enum log_level *level_r)
{
	for (int i = LOG_DEBUG; i <= LOG_ERROR; i++) {
		if (strcmp(s, level_names[i]) == 0) {
			*level_r = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

int
log_format_parse(const char *s, enum log_format *format_r)
{
	if (strcmp(s, "plain") == 0)
		*format_r = LOG_PLAIN;
	else if (strcmp(s, "json") == 0)
		*format_r = LOG_JSON;
	else
		return -1;
	return 0;
}

static void
put_time(struct buf *b)
{
	struct timespec ts;
	struct tm tm;
	char tmp[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(tmp, sizeof(tmp), "%Y-%m-%dT%H:%M:%S", &tm);
	buf_printf(b, "%s.%03ldZ", tmp, ts.tv_nsec / 1000000);
}

/* Plain values with spaces, quotes or '=' are quoted so lines stay parseable. */
static void
put_plain_value(struct buf *b, const char *v)
{
	if (v[0] != '\0' && strpbrk(v, " \"=\t\n\r") == NULL) {
		buf_puts(b, v);
		return;
	}
	buf_json_str(b, v);
}

static void
log_emit(enum log_level level, const char *msg, va_list ap)
{
	struct buf b = BUF_INIT;
	const char *key;

	if (log_fmt == LOG_JSON) {
		buf_puts(&b, "{\"ts\":\"");
		put_time(&b);
		buf_printf(&b, "\",\"level\":\"%s\",\"msg\":", level_names[level]);
		buf_json_str(&b, msg);
		while ((key = va_arg(ap, const char *)) != NULL) {
			const char *val = va_arg(ap, const char *);
			buf_putc(&b, ',');
			buf_json_str(&b, key);
			buf_putc(&b, ':');
			buf_json_str(&b, val != NULL ? val : "");
		}
		buf_puts(&b, "}\n");
	} else {
		put_time(&b);
		buf_printf(&b, " %-5s %s", level_names[level], msg);
		while ((key = va_arg(ap, const char *)) != NULL) {
			const char *val = va_arg(ap, const char *);
			buf_printf(&b, " %s=", key);
			put_plain_value(&b, val != NULL ? val : "");
		}
		buf_putc(&b, '\n');
	}
	/* One write per line; a short write to stderr is not worth retrying. */
	ssize_t n = write(STDERR_FILENO, b.data, b.len);
	(void)n;
	buf_free(&b);
}

void
log_kv(enum log_level level, const char *msg, ...)
{
	va_list ap;
	if (level < log_threshold)
		return;
	va_start(ap, msg);
	log_emit(level, msg, ap);
	va_end(ap);
}

static void
log_emit_msg(enum log_level level, const char *msg, ...)
{
	va_list ap;
	va_start(ap, msg);
	log_emit(level, msg, ap);
	va_end(ap);
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	char line[2048];
	va_list ap;
	if (level < log_threshold)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log_emit_msg(level, line, (const char *)NULL);
}
