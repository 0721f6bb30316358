/*
 * config — the INI reader (inih), environment and --set overrides, checks, the sample
 * file, over the key table of config_keys.c (the single source of truth: defaults,
 * validation, the sample file, `gamigate config keys` and the error hints all come from
 * it). Loading runs on the main thread before anything else starts.
 */
#include "core/config.h"
#include "core/config_internal.h"
#include "core/iplist.h"
#include "core/xalloc.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SECRET_MIN_LEN 16

#define N_KEYS config_keys_count

static char **
str_field(struct config *cfg, const struct config_key *k)
{
	return (char **)((char *)cfg + k->offset);
}

static long long *
int_field(struct config *cfg, const struct config_key *k)
{
	return (long long *)((char *)cfg + k->offset);
}

static const struct config_key *
key_find(const char *section, const char *name)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		if (strcmp(config_keys_table[i].section, section) == 0 &&
		    strcmp(config_keys_table[i].name, name) == 0)
			return &config_keys_table[i];
	}
	return NULL;
}

static bool
section_known(const char *section)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		if (strcmp(config_keys_table[i].section, section) == 0)
			return true;
	}
	return false;
}

/* Levenshtein distance of two short ASCII names, for "did you mean" hints. */
static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64];
	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t prev = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t cur = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = prev + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			prev = cur;
		}
	}
	return row[lb];
}

/* Appends "; did you mean X?" naming the closest section (name == NULL) or key. */
static void
hint_similar(struct buf *errors, const char *section, const char *name)
{
	const char *best = NULL;
	size_t best_d = 3;
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct config_key *k = &config_keys_table[i];
		const char *cand = name == NULL ? k->section : k->name;
		if (name != NULL && strcmp(k->section, section) != 0)
			continue;
		size_t d = edit_distance(name == NULL ? section : name, cand);
		if (d < best_d) {
			best_d = d;
			best = cand;
		}
	}
	if (best != NULL)
		buf_printf(errors, "; did you mean %s%s%s?", name == NULL ? "[" : "", best,
		           name == NULL ? "]" : "");
}

static void
list_keys_of(struct buf *errors, const char *section)
{
	bool first = true;
	buf_printf(errors, " (keys of [%s]: ", section);
	for (size_t i = 0; i < N_KEYS; i++) {
		if (strcmp(config_keys_table[i].section, section) != 0)
			continue;
		buf_printf(errors, "%s%s", first ? "" : ", ", config_keys_table[i].name);
		first = false;
	}
	buf_putc(errors, ')');
}

static void
describe_expected(struct buf *b, const struct config_key *k)
{
	switch (k->type) {
	case CONFIG_STR:
		buf_puts(b, "text");
		break;
	case CONFIG_INT:
		buf_printf(b, "a whole number from %lld to %lld", k->min, k->max);
		break;
	case CONFIG_ENUM:
		buf_printf(b, "one of %s", k->choices);
		break;
	case CONFIG_LISTEN:
		buf_puts(b, "host:port, e.g. 127.0.0.1:8080 or [::1]:8080");
		break;
	case CONFIG_TZ:
		buf_puts(b, "an IANA time zone name such as Asia/Tehran or UTC");
		break;
	case CONFIG_SECRET:
		buf_printf(b, "empty, or at least %d printable characters without spaces",
		           SECRET_MIN_LEN);
		break;
	case CONFIG_IPLIST:
		buf_puts(b, "empty, or IPv4/IPv6 addresses or CIDR ranges separated by commas");
		break;
	}
}

static int
parse_int(const char *s, long long *out)
{
	char *end;
	errno = 0;
	/* Digits only, with an optional '-': no spaces, no '+', no hex. */
	if (!((*s >= '0' && *s <= '9') || (*s == '-' && s[1] >= '0' && s[1] <= '9')))
		return -1;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* Splits host:port / [v6]:port. 0 ok, -1 malformed. host_r is allocated. */
static int
parse_listen(const char *s, char **host_r, int *port_r)
{
	const char *colon;
	const char *host;
	size_t host_len;
	long long port;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (close == NULL || close[1] != ':' || close == s + 1)
			return -1;
		host = s + 1;
		host_len = (size_t)(close - host);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL || colon == s)
			return -1;
		host = s;
		host_len = (size_t)(colon - s);
		if (memchr(host, ':', host_len) != NULL)
			return -1; /* bare IPv6 needs brackets */
	}
	for (size_t i = 0; i < host_len; i++) {
		char c = host[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == ':'))
			return -1;
	}
	if (parse_int(colon + 1, &port) < 0 || port < 0 || port > 65535)
		return -1;
	*host_r = xstrndup(host, host_len);
	*port_r = (int)port;
	return 0;
}

static bool
tz_valid(const char *s)
{
	struct stat st;
	char path[512];

	if (s[0] == '\0' || strlen(s) > 64 || strstr(s, "..") != NULL || s[0] == '/')
		return false;
	for (const char *p = s; *p != '\0'; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '/' || c == '_' || c == '-' || c == '+'))
			return false;
	}
	if (strcmp(s, "UTC") == 0)
		return true;
	/* Where the zone database is installed, the zone must exist in it. */
	if (stat("/usr/share/zoneinfo", &st) == 0) {
		snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", s);
		return stat(path, &st) == 0 && S_ISREG(st.st_mode);
	}
	return true;
}

static bool
secret_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0)
		return true;
	if (n < SECRET_MIN_LEN)
		return false;
	for (const char *p = s; *p != '\0'; p++) {
		if (*p <= ' ' || *p > '~')
			return false;
	}
	return true;
}

/*
 * Validates value for key k and stores it. origin names where it came from
 * ("conf/x.conf:12", "environment GAMIGATE_HTTP_LISTEN", "--set"). 0 ok, -1 problem.
 */
static int
apply_value(struct config *cfg, const struct config_key *k, const char *value, const char *origin,
            struct buf *errors)
{
	char *host = NULL;
	int port = 0;
	long long v = 0;
	bool ok = true;

	switch (k->type) {
	case CONFIG_STR:
		ok = strlen(value) <= 1024;
		break;
	case CONFIG_INT:
		ok = parse_int(value, &v) == 0 && v >= k->min && v <= k->max;
		break;
	case CONFIG_ENUM: {
		size_t n = strlen(value);
		const char *p = k->choices;
		ok = false;
		while (!ok && n > 0 && *p != '\0') {
			const char *bar = strchr(p, '|');
			size_t len = bar != NULL ? (size_t)(bar - p) : strlen(p);
			ok = len == n && memcmp(p, value, n) == 0;
			p += len + (bar != NULL ? 1 : 0);
		}
		break;
	}
	case CONFIG_LISTEN:
		ok = parse_listen(value, &host, &port) == 0;
		break;
	case CONFIG_TZ:
		ok = tz_valid(value);
		break;
	case CONFIG_SECRET:
		ok = secret_valid(value);
		break;
	case CONFIG_IPLIST: {
		struct iplist *l = NULL;
		const char *why = NULL;
		ok = iplist_parse(value, &l, &why) == 0;
		iplist_free(l);
		break;
	}
	}
	if (!ok) {
		bool hide = k->type == CONFIG_SECRET || strcmp(k->name, "password") == 0;
		buf_printf(errors, "%s: %s.%s: ", origin, k->section, k->name);
		if (hide)
			buf_puts(errors, "the value given");
		else
			buf_json_str(errors, value);
		buf_puts(errors, " is not valid; expected ");
		describe_expected(errors, k);
		buf_putc(errors, '\n');
		return -1;
	}

	size_t idx = (size_t)(k - config_keys_table);
	free(cfg->origins[idx]);
	cfg->origins[idx] = xstrdup(origin);
	if (k->type == CONFIG_INT) {
		*int_field(cfg, k) = v;
		return 0;
	}
	char **field = str_field(cfg, k);
	free(*field);
	*field = xstrdup(value);
	if (k->type == CONFIG_LISTEN) {
		free(cfg->http_host);
		cfg->http_host = host;
		cfg->http_port = port;
	}
	return 0;
}

struct config *
config_new(void)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	struct buf ignored = BUF_INIT;

	cfg->origins = xcalloc(N_KEYS, sizeof(char *));
	for (size_t i = 0; i < N_KEYS; i++) {
		/* Defaults are valid by construction; unit tests check that. */
		if (apply_value(cfg, &config_keys_table[i], config_keys_table[i].def, "default",
		                &ignored) < 0)
			abort();
	}
	buf_free(&ignored);
	return cfg;
}

void
config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < N_KEYS; i++) {
		if (config_keys_table[i].type != CONFIG_INT)
			free(*str_field(cfg, &config_keys_table[i]));
		free(cfg->origins[i]);
	}
	free(cfg->http_host);
	free(cfg->origins);
	free(cfg);
}

/* State of one file read: inih calls handler() right after reader() returned the line. */
struct ini_state {
	struct config *cfg;
	const char *path;
	FILE *fp;
	int lineno;
	struct buf *errors;
	int problems;
};

#define INI_LINE_MAX 200

static void
blank_line(char *str)
{
	str[0] = '\n';
	str[1] = '\0';
}

/* Checks one line before inih sees it, so that every bad line is reported (inih only
 * returns the first) and nothing is taken for a multi-line continuation. Leading white
 * space is removed; a line that is neither blank, a comment, a [section] nor
 * key = value is reported and handed to inih as a blank line. */
static void
precheck_line(struct ini_state *st, char *str)
{
	size_t lead = strspn(str, " \t");
	if (lead > 0)
		memmove(str, str + lead, strlen(str + lead) + 1);
	char c = str[0];
	if (c == '\0' || c == '\n' || c == '\r' || c == '#' || c == ';')
		return;
	if (c == '[') {
		char *close = strchr(str, ']');
		if (close == NULL) {
			buf_printf(st->errors,
			           "%s:%d: cannot read this line; a section header ends with ']': "
			           "[section]\n",
			           st->path, st->lineno);
			st->problems++;
			blank_line(str);
			return;
		}
		char name[64];
		size_t len = (size_t)(close - str - 1);
		snprintf(name, sizeof(name), "%.*s", (int)(len < 63 ? len : 63), str + 1);
		if (!section_known(name)) {
			buf_printf(st->errors, "%s:%d: unknown section [%s]", st->path, st->lineno,
			           name);
			hint_similar(st->errors, name, NULL);
			buf_putc(st->errors, '\n');
			st->problems++;
		}
		return;
	}
	if (strchr(str, '=') == NULL) {
		buf_printf(st->errors,
		           "%s:%d: cannot read this line; expected key = value, [section], or a "
		           "comment starting with # or ;\n",
		           st->path, st->lineno);
		st->problems++;
		blank_line(str);
	}
}

static char *
config_ini_read(char *str, int num, void *stream)
{
	struct ini_state *st = stream;
	if (fgets(str, num, st->fp) == NULL)
		return NULL;
	st->lineno++;
	size_t len = strlen(str);
	if (len > 0 && str[len - 1] != '\n' && !feof(st->fp)) {
		/* Longer than inih's line buffer: report it, skip the rest of the line and hand
		 * inih an empty line, so no truncated value is ever used. */
		int c;
		while ((c = fgetc(st->fp)) != EOF && c != '\n')
			;
		buf_printf(st->errors, "%s:%d: line is longer than %d bytes\n", st->path,
		           st->lineno, INI_LINE_MAX - 2);
		st->problems++;
		str[0] = '\n';
		str[1] = '\0';
		return str;
	}
	precheck_line(st, str);
	return str;
}

static int
config_ini_line(void *user, const char *section, const char *name, const char *value)
{
	struct ini_state *st = user;
	char origin[600];
	const struct config_key *k;

	if (name == NULL)
		return 1;
	if (section[0] == '\0') {
		buf_printf(
		    st->errors,
		    "%s:%d: key \"%s\" stands before any [section]; put it under its section, "
		    "e.g. [http]\n",
		    st->path, st->lineno, name);
		st->problems++;
		return 1;
	}
	if (!section_known(section))
		return 1; /* reported with its [section] line */
	k = key_find(section, name);
	if (k == NULL) {
		buf_printf(st->errors, "%s:%d: unknown key \"%s\" in [%s]", st->path, st->lineno,
		           name, section);
		hint_similar(st->errors, section, name);
		list_keys_of(st->errors, section);
		buf_putc(st->errors, '\n');
		st->problems++;
		return 1;
	}
	snprintf(origin, sizeof(origin), "%s:%d", st->path, st->lineno);
	if (apply_value(st->cfg, k, value, origin, st->errors) < 0)
		st->problems++;
	return 1;
}

int
config_load_stream(struct config *cfg, FILE *fp, const char *name, struct buf *errors)
{
	struct ini_state st = {.cfg = cfg, .path = name, .fp = fp, .errors = errors};
	int rc = ini_parse_stream(config_ini_read, &st, config_ini_line, &st);
	if (rc > 0) {
		buf_printf(errors,
		           "%s:%d: cannot read this line; expected [section], key = value, or a "
		           "comment starting with # or ;\n",
		           name, rc);
		st.problems++;
	} else if (rc < 0) {
		buf_printf(errors, "%s: cannot read the file\n", name);
		st.problems++;
	}
	return st.problems == 0 ? 0 : -1;
}

int
config_load_file(struct config *cfg, const char *path, struct buf *errors)
{
	FILE *fp = fopen(path, "r");
	if (fp == NULL) {
		buf_printf(errors, "%s: cannot open the configuration file: %s\n", path,
		           strerror(errno));
		return -1;
	}
	int rc = config_load_stream(cfg, fp, path, errors);
	fclose(fp);
	return rc;
}

int
config_apply_env(struct config *cfg, char *const *envp, struct buf *errors)
{
	static const char prefix[] = "GAMIGATE_";
	int problems = 0;

	for (; *envp != NULL; envp++) {
		const char *var = *envp;
		const char *eq = strchr(var, '=');
		char section[64], name[64], origin[200];

		if (eq == NULL || strncmp(var, prefix, sizeof(prefix) - 1) != 0)
			continue;
		const char *rest = var + sizeof(prefix) - 1;
		const char *us = memchr(rest, '_', (size_t)(eq - rest));
		if (us == NULL || (size_t)(us - rest) >= sizeof(section) ||
		    (size_t)(eq - us - 1) >= sizeof(name) || eq == us + 1)
			continue;
		size_t sl = (size_t)(us - rest), nl = (size_t)(eq - us - 1);
		for (size_t i = 0; i < sl; i++)
			section[i] =
			    (char)((rest[i] >= 'A' && rest[i] <= 'Z') ? rest[i] + 32 : rest[i]);
		section[sl] = '\0';
		if (!section_known(section))
			continue; /* GAMIGATE_DB_DIR and friends belong to tools/ */
		for (size_t i = 0; i < nl; i++)
			name[i] = (char)((us[1 + i] >= 'A' && us[1 + i] <= 'Z') ? us[1 + i] + 32
			                                                        : us[1 + i]);
		name[nl] = '\0';
		snprintf(origin, sizeof(origin), "environment %.*s", (int)(eq - var), var);
		const struct config_key *k = key_find(section, name);
		if (k == NULL) {
			buf_printf(errors, "%s: unknown key %s.%s", origin, section, name);
			hint_similar(errors, section, name);
			list_keys_of(errors, section);
			buf_putc(errors, '\n');
			problems++;
			continue;
		}
		if (apply_value(cfg, k, eq + 1, origin, errors) < 0)
			problems++;
	}
	return problems == 0 ? 0 : -1;
}

int
config_set(struct config *cfg, const char *assignment, struct buf *errors)
{
	const char *dot = strchr(assignment, '.');
	const char *eq = strchr(assignment, '=');
	char section[64], name[64];
	size_t shown = strcspn(assignment, "="); /* never echo the value: it may be a secret */

	if (shown > 40)
		shown = 40;
	if (dot == NULL || eq == NULL || dot > eq || dot == assignment || eq == dot + 1 ||
	    (size_t)(dot - assignment) >= sizeof(section) ||
	    (size_t)(eq - dot - 1) >= sizeof(name)) {
		buf_printf(errors,
		           "--set: \"%.*s\" is not section.key=value; e.g. --set "
		           "http.listen=127.0.0.1:9090\n",
		           (int)shown, assignment);
		return -1;
	}
	snprintf(section, sizeof(section), "%.*s", (int)(dot - assignment), assignment);
	snprintf(name, sizeof(name), "%.*s", (int)(eq - dot - 1), dot + 1);
	if (!section_known(section)) {
		buf_printf(errors, "--set %s.%s: unknown section [%s]", section, name, section);
		hint_similar(errors, section, NULL);
		buf_putc(errors, '\n');
		return -1;
	}
	const struct config_key *k = key_find(section, name);
	if (k == NULL) {
		buf_printf(errors, "--set %s.%s: unknown key %s.%s", section, name, section, name);
		hint_similar(errors, section, name);
		list_keys_of(errors, section);
		buf_putc(errors, '\n');
		return -1;
	}
	return apply_value(cfg, k, eq + 1, "--set", errors);
}

/* Appends GAMIGATE_SECTION_KEY for k. */
static void
put_env_name(struct buf *b, const struct config_key *k)
{
	buf_puts(b, "GAMIGATE_");
	for (const char *p = k->section; *p != '\0'; p++)
		buf_putc(b, (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p));
	buf_putc(b, '_');
	for (const char *p = k->name; *p != '\0'; p++)
		buf_putc(b, (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p));
}

/* outbox.quiet_start/quiet_end are "HH:MM". The number of problems found. */
static int
check_quiet_hours(const struct config *cfg, struct buf *errors)
{
	const char *names[] = {"quiet_start", "quiet_end"};
	const char *values[] = {cfg->outbox_quiet_start, cfg->outbox_quiet_end};
	int problems = 0;
	for (int i = 0; i < 2; i++) {
		const char *v = values[i];
		int ok = strlen(v) == 5 && v[2] == ':' && v[0] >= '0' && v[0] <= '2' &&
		         v[1] >= '0' && v[1] <= '9' && v[3] >= '0' && v[3] <= '5' && v[4] >= '0' &&
		         v[4] <= '9' && (v[0] - '0') * 10 + (v[1] - '0') < 24;
		if (!ok) {
			buf_printf(errors, "outbox.%s: ", names[i]);
			buf_json_str(errors, v);
			buf_puts(errors,
			         " is not valid; expected a time of day as HH:MM, e.g. 22:00\n");
			problems++;
		}
	}
	return problems;
}

int
config_finish(struct config *cfg, struct buf *errors)
{
	int problems = 0;
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct config_key *k = &config_keys_table[i];
		if (!(k->flags & CONFIG_REQUIRED) || k->type == CONFIG_INT)
			continue;
		if ((*str_field(cfg, k))[0] != '\0')
			continue;
		buf_printf(errors,
		           "%s.%s is required but not set; set %s = ... under [%s] in the "
		           "configuration file, or ",
		           k->section, k->name, k->name, k->section);
		put_env_name(errors, k);
		buf_puts(errors, " in the environment (");
		describe_expected(errors, k);
		buf_puts(errors, ")\n");
		problems++;
	}
	problems += check_quiet_hours(cfg, errors);
	return problems == 0 ? 0 : -1;
}

static void
put_comment_lines(FILE *out, const char *text)
{
	const char *p = text;
	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		fprintf(out, "# %.*s\n", (int)len, p);
		p += len + (nl != NULL ? 1 : 0);
	}
}

void
config_sample(FILE *out)
{
	const char *section = "";

	fputs("# gamigate configuration (INI).\n"
	      "#\n"
	      "# Every key is shown commented out with its default value; uncomment a line to\n"
	      "# change it. Any key can also be set with an environment variable\n"
	      "# GAMIGATE_<SECTION>_<KEY> (e.g. GAMIGATE_DATABASE_PASSWORD) or on the command\n"
	      "# line with --set section.key=value; the command line wins over the environment,\n"
	      "# which wins over this file. Check a file with: gamigate config check -c FILE\n"
	      "#\n"
	      "# This file is generated by `gamigate config sample`; a test keeps them equal.\n",
	      out);
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct config_key *k = &config_keys_table[i];
		struct buf exp = BUF_INIT;
		if (strcmp(section, k->section) != 0) {
			section = k->section;
			fprintf(out, "\n[%s]\n", section);
		}
		fputc('\n', out);
		put_comment_lines(out, k->help);
		describe_expected(&exp, k);
		fprintf(out, "# Expected: %s.%s\n", buf_cstr(&exp),
		        (k->flags & CONFIG_REQUIRED) ? " Required." : "");
		buf_free(&exp);
		fprintf(out, "#%s = %s\n", k->name, k->def);
	}
}

void
config_dump(const struct config *cfg, FILE *out)
{
	struct config *c = (struct config *)cfg;
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct config_key *k = &config_keys_table[i];
		char value[64];
		const char *v;
		if (k->type == CONFIG_INT) {
			snprintf(value, sizeof(value), "%lld", *int_field(c, k));
			v = value;
		} else {
			v = *str_field(c, k);
			if ((k->type == CONFIG_SECRET || strcmp(k->name, "password") == 0 ||
			     strstr(k->name, "auth_header") != NULL) &&
			    v[0] != '\0')
				v = "(set, hidden)";
		}
		fprintf(out, "%s.%s = %s    # %s\n", k->section, k->name, v, cfg->origins[i]);
	}
}

void
config_keys(FILE *out)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct config_key *k = &config_keys_table[i];
		struct buf exp = BUF_INIT;
		describe_expected(&exp, k);
		fprintf(out,
		        "%s.%s\n    default: %s%s\n    expected: %s\n    environment: ", k->section,
		        k->name, k->def[0] != '\0' ? k->def : "(empty)",
		        (k->flags & CONFIG_REQUIRED) ? " (required)" : "", buf_cstr(&exp));
		buf_reset(&exp);
		put_env_name(&exp, k);
		fprintf(out, "%s\n", buf_cstr(&exp));
		buf_free(&exp);
		for (const char *p = k->help; *p != '\0';) {
			const char *nl = strchr(p, '\n');
			size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
			fprintf(out, "    %.*s\n", (int)len, p);
			p += len + (nl != NULL ? 1 : 0);
		}
	}
}
