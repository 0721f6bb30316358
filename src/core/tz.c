/*
 * tz — IANA time zones from TZif files (RFC 8536), independent of the process's TZ.
 *
 * A zone is its transition table (the 64-bit block of a version 2+ file, the 32-bit one
 * of a version 1 file) plus the POSIX TZ string of the footer, which gives the offset
 * for instants after the last transition ("<+0330>-3:30" for Asia/Tehran, or
 * "CET-1CEST,M3.5.0,M10.5.0/3" with its yearly DST rules).
 *
 * Invariants: every count and offset read from a file is bounded before it is used, so
 * a corrupt or hostile file is refused with -1, never read out of bounds; transition
 * times are strictly increasing; every type index is < ntypes; every offset is within
 * +-26 h (what lets tz_to_utc search a bounded window); files with leap-second records
 * (the "right/" zones) are refused, as POSIX time_t has no leap seconds. Instants are
 * clamped to years 1-9999 so civil dates and period keys always have four-digit years.
 * Threads: tz_load reads the file and the TZDIR variable; a loaded struct tz is
 * immutable, and every other function may be called from any thread.
 */
#include "core/tz.h"
#include "core/civil.h"

#include "core/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TZ_DEFAULT_DIR "/usr/share/zoneinfo"
#define TZ_MAX_NAME    255
/* Real zone files are under 4 KiB. */
#define TZ_MAX_FILE (256 * 1024)
/* Bounds for each count of a TZif header; the file size bounds them further. */
#define TZ_MAX_TIMES  65536
#define TZ_MAX_TYPES  256
#define TZ_MAX_CHARS  65536
#define TZ_MAX_FOOTER 256
/* Offsets are at most 25:59:59 (RFC 8536 3.2; POSIX offsets stop at 24:59:59). */
#define TZ_MAX_OFFSET  (26 * 3600 - 1)
#define TZ_HEADER_SIZE 44
/* 0001-01-03T00:00:00Z and 9999-12-29T23:59:59Z: with any offset the local date stays
 * within years 1-9999. */
#define TZ_T_MIN ((int64_t)(-719162 + 2) * 86400)
#define TZ_T_MAX ((int64_t)(2932896 - 1) * 86400 - 1)
/* tz_to_utc looks for the local time within this distance of the UTC value. */
#define TZ_SEARCH_WINDOW (27 * 3600)

struct tz_type {
	int32_t utoff; /* seconds east of UTC */
	uint8_t isdst;
};

/* The day part of a POSIX TZ rule: 'J' n (1-365, February 29 never counted), 'n' n
 * (0-365, counted) or 'M' month.week.weekday (week 5 = last). */
struct tz_rule_day {
	char kind;
	int n, month, week, weekday;
};

/* A parsed POSIX TZ string. The DST period runs from start (reached in local standard
 * time) to end (reached in local daylight time); in the southern hemisphere, and for
 * Europe/Dublin's negative DST, start comes later in the year than end. */
struct tz_rule {
	int32_t std_off;
	int has_dst;
	int32_t dst_off;
	struct tz_rule_day start_day, end_day;
	int32_t start_time, end_time; /* seconds after local midnight, may be < 0 or > 24 h */
};

struct tz {
	char *name;
	size_t ntrans;
	int64_t *trans;
	uint8_t *trans_type;
	size_t ntypes;
	struct tz_type *types;
	int has_rule;
	struct tz_rule rule;
};

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static int64_t
clamp_t(int64_t t)
{
	return t < TZ_T_MIN ? TZ_T_MIN : t > TZ_T_MAX ? TZ_T_MAX : t;
}

/* The Gregorian year of the UTC-like instant t (seconds). */
static int64_t
year_of(int64_t t)
{
	int y, m, d;
	civil_date_from_days(floor_div(t, 86400), &y, &m, &d);
	return y;
}

/* ---- POSIX TZ strings (the TZif footer) ---- */

/* Parses an abbreviation: three or more letters, or <...> with letters, digits, '+'
 * and '-'. 0 ok, -1 on anything else. */
static int
rule_parse_name(const char **p)
{
	const char *s = *p;
	size_t n = 0;
	if (*s == '<') {
		s++;
		while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		       (*s >= '0' && *s <= '9') || *s == '+' || *s == '-') {
			s++;
			n++;
		}
		if (*s != '>' || n < 3)
			return -1;
		*p = s + 1;
		return 0;
	}
	while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) {
		s++;
		n++;
	}
	if (n < 3)
		return -1;
	*p = s;
	return 0;
}

/* Parses an unsigned decimal of at most max_digits digits. 0 ok, -1 if none. */
static int
rule_parse_uint(const char **p, int max_digits, int *value_r)
{
	int value = 0, n = 0;
	while (**p >= '0' && **p <= '9') {
		if (++n > max_digits)
			return -1;
		value = value * 10 + (**p - '0');
		(*p)++;
	}
	if (n == 0)
		return -1;
	*value_r = value;
	return 0;
}

/* Parses [+-]hh[:mm[:ss]] into seconds; hh at most max_hours. 0 ok, -1 otherwise. */
static int
rule_parse_hms(const char **p, int max_hours, int32_t *seconds_r)
{
	int sign = 1, h, m = 0, s = 0;
	if (**p == '+' || **p == '-') {
		sign = **p == '-' ? -1 : 1;
		(*p)++;
	}
	if (rule_parse_uint(p, 3, &h) < 0 || h > max_hours)
		return -1;
	if (**p == ':') {
		(*p)++;
		if (rule_parse_uint(p, 2, &m) < 0 || m > 59)
			return -1;
		if (**p == ':') {
			(*p)++;
			if (rule_parse_uint(p, 2, &s) < 0 || s > 59)
				return -1;
		}
	}
	*seconds_r = sign * (h * 3600 + m * 60 + s);
	return 0;
}

/* Parses ",date[/time]" into day and time (02:00 when no time is given). */
static int
rule_parse_change(const char **p, struct tz_rule_day *day_r, int32_t *time_r)
{
	struct tz_rule_day day = {0};
	if (**p != ',')
		return -1;
	(*p)++;
	if (**p == 'M') {
		(*p)++;
		day.kind = 'M';
		if (rule_parse_uint(p, 2, &day.month) < 0 || day.month < 1 || day.month > 12 ||
		    **p != '.')
			return -1;
		(*p)++;
		if (rule_parse_uint(p, 1, &day.week) < 0 || day.week < 1 || day.week > 5 ||
		    **p != '.')
			return -1;
		(*p)++;
		if (rule_parse_uint(p, 1, &day.weekday) < 0 || day.weekday > 6)
			return -1;
	} else if (**p == 'J') {
		(*p)++;
		day.kind = 'J';
		if (rule_parse_uint(p, 3, &day.n) < 0 || day.n < 1 || day.n > 365)
			return -1;
	} else {
		day.kind = 'n';
		if (rule_parse_uint(p, 3, &day.n) < 0 || day.n > 365)
			return -1;
	}
	*time_r = 2 * 3600;
	if (**p == '/') {
		(*p)++;
		/* -167:59:59 to 167:59:59 (RFC 8536 3.3.1) */
		if (rule_parse_hms(p, 167, time_r) < 0)
			return -1;
	}
	*day_r = day;
	return 0;
}

/* Parses a POSIX TZ string: "STDoffset" or "STDoffsetDST[offset][,start[/time],end[/time]]".
 * POSIX offsets count west of UTC ("<+0330>-3:30" is 3:30 east). DST without rules
 * gets the US rules, as glibc does. 0 ok, -1 for anything else. */
static int
rule_parse(const char *s, struct tz_rule *rule_r)
{
	struct tz_rule rule = {0};
	int32_t west;
	if (rule_parse_name(&s) < 0 || rule_parse_hms(&s, 24, &west) < 0)
		return -1;
	rule.std_off = -west;
	if (*s == '\0') {
		*rule_r = rule;
		return 0;
	}
	if (rule_parse_name(&s) < 0)
		return -1;
	rule.has_dst = 1;
	rule.dst_off = rule.std_off + 3600;
	if (*s != ',' && *s != '\0') {
		if (rule_parse_hms(&s, 24, &west) < 0)
			return -1;
		rule.dst_off = -west;
	}
	if (*s == '\0')
		s = ",M3.2.0,M11.1.0";
	if (rule_parse_change(&s, &rule.start_day, &rule.start_time) < 0 ||
	    rule_parse_change(&s, &rule.end_day, &rule.end_time) < 0 || *s != '\0')
		return -1;
	*rule_r = rule;
	return 0;
}

/* Days since the epoch of a rule's day in year y. */
static int64_t
rule_day(const struct tz_rule_day *day, int64_t y)
{
	int64_t jan1 = civil_days_from_date(y, 1, 1);
	if (day->kind == 'J')
		return jan1 + day->n - 1 + (civil_is_leap(y) && day->n >= 60);
	if (day->kind == 'n')
		return jan1 + day->n;
	int64_t first = civil_days_from_date(y, day->month, 1);
	int64_t first_weekday = (first % 7 + 7 + 4) % 7; /* 1970-01-01 was a Thursday */
	int64_t d = first + (day->weekday - first_weekday + 7) % 7 + (day->week - 1) * 7;
	if (d >= first + civil_month_days(y, day->month))
		d -= 7;
	return d;
}

/* The UTC instants at which DST starts and ends in year y. */
static void
rule_changes(const struct tz_rule *rule, int64_t y, int64_t *start_r, int64_t *end_r)
{
	*start_r = rule_day(&rule->start_day, y) * 86400 + rule->start_time - rule->std_off;
	*end_r = rule_day(&rule->end_day, y) * 86400 + rule->end_time - rule->dst_off;
}

/* The offset a rule gives at t: that of the latest change at or before t. When DST
 * ends and starts at the same instant (DST all year) the start wins. */
static int32_t
rule_offset(const struct tz_rule *rule, int64_t t)
{
	if (!rule->has_dst)
		return rule->std_off;
	int64_t y = year_of(t + rule->std_off);
	int64_t latest = INT64_MIN;
	int32_t off = rule->std_off;
	for (int64_t year = y - 1; year <= y + 1; year++) {
		int64_t start, end;
		rule_changes(rule, year, &start, &end);
		if (end <= t && end > latest) {
			latest = end;
			off = rule->std_off;
		}
		if (start <= t && start >= latest) {
			latest = start;
			off = rule->dst_off;
		}
	}
	return off;
}

/* The first change of a rule after t, or INT64_MAX. */
static int64_t
rule_next_change(const struct tz_rule *rule, int64_t t)
{
	if (!rule->has_dst)
		return INT64_MAX;
	int64_t y = year_of(t + rule->std_off);
	int64_t next = INT64_MAX;
	for (int64_t year = y - 1; year <= y + 2; year++) {
		int64_t start, end;
		rule_changes(rule, year, &start, &end);
		if (start > t && start < next)
			next = start;
		if (end > t && end < next)
			next = end;
	}
	return next;
}

/* ---- TZif files ---- */

struct tzif_header {
	char version;
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
};

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const uint8_t *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* Reads a header at *off and bounds its counts. 0 ok, -1 if short or out of range. */
static int
tzif_read_header(const uint8_t *data, size_t len, size_t *off, struct tzif_header *h_r)
{
	const uint8_t *p = data + *off;
	if (len - *off < TZ_HEADER_SIZE || memcmp(p, "TZif", 4) != 0)
		return -1;
	h_r->version = (char)p[4];
	if (h_r->version != '\0' && (h_r->version < '2' || h_r->version > '9'))
		return -1;
	h_r->isutcnt = be32(p + 20);
	h_r->isstdcnt = be32(p + 24);
	h_r->leapcnt = be32(p + 28);
	h_r->timecnt = be32(p + 32);
	h_r->typecnt = be32(p + 36);
	h_r->charcnt = be32(p + 40);
	if (h_r->timecnt > TZ_MAX_TIMES || h_r->typecnt > TZ_MAX_TYPES ||
	    h_r->charcnt > TZ_MAX_CHARS || h_r->leapcnt > TZ_MAX_TIMES ||
	    h_r->isstdcnt > TZ_MAX_TYPES || h_r->isutcnt > TZ_MAX_TYPES)
		return -1;
	*off += TZ_HEADER_SIZE;
	return 0;
}

/* The size of the data block after header h, with time_size-byte times. The counts are
 * bounded, so this cannot overflow. */
static size_t
tzif_block_size(const struct tzif_header *h, size_t time_size)
{
	return (size_t)h->timecnt * (time_size + 1) + (size_t)h->typecnt * 6 + h->charcnt +
	       (size_t)h->leapcnt * (time_size + 4) + h->isstdcnt + h->isutcnt;
}

/* Copies the data block at *off (after header h) into tz and moves *off past it.
 * 0 ok, -1 with *error_r if anything is out of range. */
static int
tzif_read_block(struct tz *tz, const uint8_t *data, size_t len, size_t *off,
                const struct tzif_header *h, size_t time_size, const char **error_r)
{
	*error_r = "corrupt time zone file";
	if (tzif_block_size(h, time_size) > len - *off)
		return -1;
	if (h->typecnt == 0 || h->charcnt == 0 || (h->isstdcnt != 0 && h->isstdcnt != h->typecnt) ||
	    (h->isutcnt != 0 && h->isutcnt != h->typecnt))
		return -1;
	if (h->leapcnt != 0) {
		*error_r = "time zone files with leap seconds are not supported";
		return -1;
	}
	const uint8_t *times = data + *off;
	const uint8_t *indexes = times + (size_t)h->timecnt * time_size;
	const uint8_t *infos = indexes + h->timecnt;

	tz->ntrans = h->timecnt;
	tz->trans = xcalloc(h->timecnt + 1, sizeof(*tz->trans));
	tz->trans_type = xcalloc(h->timecnt + 1, 1);
	for (size_t i = 0; i < h->timecnt; i++) {
		tz->trans[i] = time_size == 8 ? be64(times + i * 8) : (int32_t)be32(times + i * 4);
		tz->trans_type[i] = indexes[i];
		if (indexes[i] >= h->typecnt || (i > 0 && tz->trans[i] <= tz->trans[i - 1]))
			return -1;
	}
	tz->ntypes = h->typecnt;
	tz->types = xcalloc(h->typecnt, sizeof(*tz->types));
	for (size_t i = 0; i < h->typecnt; i++) {
		const uint8_t *info = infos + i * 6;
		int32_t utoff = (int32_t)be32(info);
		if (utoff < -TZ_MAX_OFFSET || utoff > TZ_MAX_OFFSET || info[4] > 1 ||
		    info[5] >= h->charcnt)
			return -1;
		tz->types[i].utoff = utoff;
		tz->types[i].isdst = info[4];
	}
	*off += tzif_block_size(h, time_size);
	return 0;
}

/* Reads the footer "\n<POSIX TZ string>\n" at *off; an empty string means none. */
static int
tzif_read_footer(struct tz *tz, const uint8_t *data, size_t len, size_t off, const char **error_r)
{
	char text[TZ_MAX_FOOTER + 1];
	size_t n = 0;
	*error_r = "corrupt time zone file";
	if (off >= len || data[off] != '\n')
		return -1;
	off++;
	while (off + n < len && data[off + n] != '\n') {
		if (data[off + n] == '\0' || n == TZ_MAX_FOOTER)
			return -1;
		text[n] = (char)data[off + n];
		n++;
	}
	if (off + n >= len)
		return -1; /* no closing newline */
	text[n] = '\0';
	if (n == 0)
		return 0;
	if (rule_parse(text, &tz->rule) < 0) {
		*error_r = "time zone file has an invalid TZ rule";
		return -1;
	}
	tz->has_rule = 1;
	return 0;
}

/* Parses a whole TZif file into tz. 0 ok, -1 with *error_r. */
static int
tzif_parse(struct tz *tz, const uint8_t *data, size_t len, const char **error_r)
{
	struct tzif_header h;
	size_t off = 0;
	*error_r = "corrupt time zone file";
	if (tzif_read_header(data, len, &off, &h) < 0)
		return -1;
	if (h.version == '\0')
		return tzif_read_block(tz, data, len, &off, &h, 4, error_r);

	/* Version 2+: skip the 32-bit block; the 64-bit one and the footer follow. */
	if (tzif_block_size(&h, 4) > len - off)
		return -1;
	off += tzif_block_size(&h, 4);
	if (tzif_read_header(data, len, &off, &h) < 0 || h.version == '\0')
		return -1;
	if (tzif_read_block(tz, data, len, &off, &h, 8, error_r) < 0)
		return -1;
	return tzif_read_footer(tz, data, len, off, error_r);
}

/* ---- loading ---- */

/* Zone names are relative paths of letters, digits, '_', '-', '+' and single '/'
 * between non-empty parts; so "..", absolute paths and "a//b" never reach open(). */
static int
tz_name_valid(const char *name)
{
	size_t len = strnlen(name, TZ_MAX_NAME + 1);
	if (len == 0 || len > TZ_MAX_NAME || name[0] == '/' || name[len - 1] == '/')
		return 0;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (c == '/' && name[i + 1] == '/')
			return 0;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '/' || c == '_' || c == '-' || c == '+'))
			return 0;
	}
	return 1;
}

/* Reads a regular file of at most TZ_MAX_FILE bytes. 0 ok (caller frees *data_r),
 * -1 with *error_r. */
static int
tz_read_file(const char *path, uint8_t **data_r, size_t *len_r, const char **error_r)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		*error_r = "unknown time zone";
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		*error_r = "unknown time zone";
		return -1;
	}
	uint8_t *data = xmalloc(TZ_MAX_FILE + 1);
	size_t len = 0;
	for (;;) {
		ssize_t n = read(fd, data + len, TZ_MAX_FILE + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			close(fd);
			free(data);
			*error_r = "cannot read time zone file";
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > TZ_MAX_FILE) {
			close(fd);
			free(data);
			*error_r = "time zone file is too large";
			return -1;
		}
	}
	close(fd);
	*data_r = data;
	*len_r = len;
	return 0;
}

int
tz_load(const char *name, struct tz **tz_r, const char **error_r)
{
	const char *error_dummy;
	if (error_r == NULL)
		error_r = &error_dummy;
	if (name == NULL || !tz_name_valid(name)) {
		*error_r = "invalid time zone name";
		return -1;
	}
	struct tz *tz = xcalloc(1, sizeof(*tz));
	tz->name = xstrdup(name);
	if (strcmp(name, "UTC") == 0) {
		/* Built in, so it works without a zone database. */
		tz->ntypes = 1;
		tz->types = xcalloc(1, sizeof(*tz->types));
		*tz_r = tz;
		return 0;
	}

	const char *dir = getenv("TZDIR");
	if (dir == NULL || *dir == '\0')
		dir = TZ_DEFAULT_DIR;
	char *path = xasprintf("%s/%s", dir, name);
	uint8_t *data = NULL;
	size_t len = 0;
	int ret = tz_read_file(path, &data, &len, error_r);
	if (ret == 0)
		ret = tzif_parse(tz, data, len, error_r);
	free(data);
	free(path);
	if (ret < 0) {
		tz_free(tz);
		return -1;
	}
	*tz_r = tz;
	return 0;
}

void
tz_free(struct tz *tz)
{
	if (tz == NULL)
		return;
	free(tz->name);
	free(tz->trans);
	free(tz->trans_type);
	free(tz->types);
	free(tz);
}

const char *
tz_name(const struct tz *tz)
{
	return tz->name;
}

/* ---- lookups ---- */

/* The offset in force at t: before the first transition that of type 0 (RFC 8536 3.2),
 * from the last transition on the footer rule when there is one (as glibc does), else
 * that of the transition at or before t. */
static int32_t
tz_offset_at(const struct tz *tz, int64_t t)
{
	if (tz->ntrans == 0 || t >= tz->trans[tz->ntrans - 1]) {
		if (tz->has_rule)
			return rule_offset(&tz->rule, t);
		return tz->types[tz->ntrans == 0 ? 0 : tz->trans_type[tz->ntrans - 1]].utoff;
	}
	if (t < tz->trans[0])
		return tz->types[0].utoff;
	size_t lo = 0, hi = tz->ntrans - 1; /* trans[lo] <= t < trans[hi] */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (tz->trans[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return tz->types[tz->trans_type[lo]].utoff;
}

/* The first instant after t at which the offset may change, or INT64_MAX. */
static int64_t
tz_next_change(const struct tz *tz, int64_t t)
{
	if (tz->ntrans > 0 && t < tz->trans[tz->ntrans - 1]) {
		size_t lo = 0, hi = tz->ntrans - 1; /* the first trans[i] > t is in [lo, hi] */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (tz->trans[mid] > t)
				hi = mid;
			else
				lo = mid + 1;
		}
		return tz->trans[lo];
	}
	return tz->has_rule ? rule_next_change(&tz->rule, t) : INT64_MAX;
}

long
tz_offset(const struct tz *tz, time_t t)
{
	return tz_offset_at(tz, clamp_t((int64_t)t));
}

/* Days since the epoch of the local date at t, and the local seconds into that day. */
static int64_t
tz_local_days(const struct tz *tz, time_t t, int64_t *secs_r)
{
	int64_t u = clamp_t((int64_t)t);
	int64_t local = u + tz_offset_at(tz, u);
	int64_t days = floor_div(local, 86400);
	if (secs_r != NULL)
		*secs_r = local - days * 86400;
	return days;
}

void
tz_civil(const struct tz *tz, time_t t, struct tz_civil *c_r)
{
	int64_t secs;
	int64_t days = tz_local_days(tz, t, &secs);
	civil_date_from_days(days, &c_r->year, &c_r->month, &c_r->day);
	c_r->hour = (int)(secs / 3600);
	c_r->minute = (int)(secs / 60 % 60);
	c_r->second = (int)(secs % 60);
	c_r->weekday = (int)((days % 7 + 7 + 4) % 7);
}

/* Walks the stretches of constant offset around the local time in time order; the
 * first stretch that contains its candidate instant (local - offset) holds the first
 * occurrence. If the candidate falls before the stretch it was skipped by a jump
 * forward, and the start of the stretch is the answer. */
time_t
tz_to_utc(const struct tz *tz, int year, int month, int day, int hour, int minute, int second)
{
	int64_t y = (int64_t)year + floor_div((int64_t)month - 1, 12);
	int m = (int)((int64_t)month - 1 - floor_div((int64_t)month - 1, 12) * 12) + 1;
	int64_t local = (civil_days_from_date(y, m, 1) + day - 1) * 86400 + (int64_t)hour * 3600 +
	                (int64_t)minute * 60 + second;
	local = clamp_t(local);

	int64_t from = local - TZ_SEARCH_WINDOW;
	while (from <= local + TZ_SEARCH_WINDOW) {
		int64_t until = tz_next_change(tz, from);
		int64_t candidate = local - tz_offset_at(tz, from);
		if (candidate < from)
			return (time_t)from;
		if (candidate < until)
			return (time_t)candidate;
		from = until;
	}
	return (time_t)(local - tz_offset_at(tz, local));
}

/* Writes y-m-d as "YYYY-MM-DD" (years are 1-9999 after clamping). */
static void
format_key(int64_t days, char out[11])
{
	int y, m, d;
	civil_date_from_days(days, &y, &m, &d);
	out[0] = (char)('0' + y / 1000 % 10);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

void
tz_day_key(const struct tz *tz, time_t t, char out[11])
{
	format_key(tz_local_days(tz, t, NULL), out);
}

void
tz_week_key(const struct tz *tz, time_t t, char out[11])
{
	int64_t days = tz_local_days(tz, t, NULL);
	int64_t weekday = (days % 7 + 7 + 4) % 7; /* 0 = Sunday, 6 = Saturday */
	format_key(days - (weekday + 1) % 7, out);
}
