/*
 * test_config — src/core/config.c: defaults, the INI reader, environment and --set
 * overrides and their precedence, required keys, the dump (secrets hidden) and the sample.
 *
 * Every error case checks the message text (where, which key, what is expected) and that
 * a rejected value left the previous one in place. Files are written with mkstemp under
 * $TMPDIR (or /tmp) and removed again.
 */
#include "core/config.h"

#include "check.h"
#include "tmpfile.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes text to a temporary file, loads it into cfg, removes the file. The path stays
 * in t for checking messages. Returns config_load_file's result, or -2 on a test setup
 * failure (which no expectation accepts). */
static int
load_text(struct config *cfg, const char *text, struct test_tmpfile *t, struct buf *errors)
{
	if (test_tmpfile_write(t, "gamigate-unit", text) < 0)
		return -2;
	int rc = config_load_file(cfg, t->path, errors);
	unlink(t->path);
	return rc;
}

/* config_dump into a new string; the caller frees it. */
static char *
dump_string(const struct config *cfg)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);
	if (f == NULL)
		return strdup("");
	config_dump(cfg, f);
	fclose(f);
	return s;
}

static char *
sample_string(void)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);
	if (f == NULL)
		return strdup("");
	config_sample(f);
	fclose(f);
	return s;
}

static int
count_lines(const char *s)
{
	int n = 0;
	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

/* True when cfg is exactly a fresh config_new(): every value and every origin. */
static int
is_default(const struct config *cfg)
{
	struct config *fresh = config_new();
	char *a = dump_string(cfg), *b = dump_string(fresh);
	int same = strcmp(a, b) == 0;
	if (!same)
		fprintf(stderr, "  config differs from the defaults:\n%s", a);
	free(a);
	free(b);
	config_free(fresh);
	return same;
}

/* A NULL-terminated, writable copy of vars, as config_apply_env wants an environ. */
static char **
env_new(const char *const *vars)
{
	size_t n = 0;
	while (vars[n] != NULL)
		n++;
	char **env = calloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		env[i] = strdup(vars[i]);
	return env;
}

static void
env_free(char **env)
{
	for (size_t i = 0; env[i] != NULL; i++)
		free(env[i]);
	free(env);
}

/* "path:line: " as the messages write it. */
static void
where(char *out, size_t size, const struct test_tmpfile *t, int line)
{
	snprintf(out, size, "%s:%d: ", t->path, line);
}

static void
test_defaults(void)
{
	struct config *cfg = config_new();
	CHECK_STR(cfg->http_listen, "127.0.0.1:8080");
	CHECK_STR(cfg->http_host, "127.0.0.1");
	CHECK(cfg->http_port == 8080);
	CHECK(cfg->http_max_body_bytes == 65536);
	CHECK(cfg->http_max_header_bytes == 8192);
	CHECK(cfg->http_request_timeout_s == 30);
	CHECK(cfg->http_shutdown_grace_s == 20);
	CHECK_STR(cfg->db_host, "127.0.0.1");
	CHECK(cfg->db_port == 3306);
	CHECK_STR(cfg->db_socket, "");
	CHECK_STR(cfg->db_user, "gamigate");
	CHECK_STR(cfg->db_password, "");
	CHECK_STR(cfg->db_name, "gamigate");
	CHECK(cfg->db_pool_size == 4);
	CHECK(cfg->db_queue_max == 1024);
	CHECK(cfg->db_health_interval_ms == 1000);
	CHECK_STR(cfg->log_level, "info");
	CHECK_STR(cfg->log_format, "plain");
	CHECK_STR(cfg->game_timezone, "Asia/Tehran");
	CHECK(cfg->game_country_code == 98);
	CHECK_STR(cfg->admin_token, "");
	CHECK_STR(cfg->inbound_kannel_secret, "");
	CHECK_STR(cfg->node_name, "");

	char *d = dump_string(cfg);
	CHECK_CONTAINS(d, "http.listen = 127.0.0.1:8080    # default\n");
	CHECK_CONTAINS(d, "database.pool_size = 4    # default\n");
	CHECK_CONTAINS(d, "admin.token =     # default\n");
	free(d);
	config_free(cfg);
	config_free(NULL); /* allowed */
}

static const char good_file[] = "# gamigate test configuration\n"            /* 1 */
                                "; a comment in the other style\n"           /* 2 */
                                "\n"                                         /* 3 */
                                "[http]\n"                                   /* 4 */
                                "listen = [::1]:9090\n"                      /* 5 */
                                "max_body_bytes = 2048\n"                    /* 6 */
                                "  # an indented comment\n"                  /* 7 */
                                "[database]\n"                               /* 8 */
                                "host = db.example.org\n"                    /* 9 */
                                "port = 3307\n"                              /* 10 */
                                "user = gg\n"                                /* 11 */
                                "password = pw-Secret-Value-77\n"            /* 12 */
                                "name = gg_test\n"                           /* 13 */
                                "pool_size = 8\n"                            /* 14 */
                                "; pool_size = 99\n"                         /* 15 */
                                "[log]\n"                                    /* 16 */
                                "level=debug\n"                              /* 17 */
                                "format   =   json\n"                        /* 18 */
                                "[game]\n"                                   /* 19 */
                                "timezone = UTC\n"                           /* 20 */
                                "country_code = 44\n"                        /* 21 */
                                "[admin]\n"                                  /* 22 */
                                "token = Adm1n-T0ken-0123456789\n"           /* 23 */
                                "[inbound]\n"                                /* 24 */
                                "kannel_secret = Kannel-Secret-0123456789\n" /* 25 */
                                "[node]\n"                                   /* 26 */
                                "name = node-a\n";                           /* 27 */

static void
test_good_file(void)
{
	struct config *cfg = config_new();
	struct buf errors = BUF_INIT;
	struct test_tmpfile t;
	char want[700];

	CHECK(load_text(cfg, good_file, &t, &errors) == 0);
	CHECK_STR(buf_cstr(&errors), "");
	CHECK_STR(cfg->http_listen, "[::1]:9090");
	CHECK_STR(cfg->http_host, "::1");
	CHECK(cfg->http_port == 9090);
	CHECK(cfg->http_max_body_bytes == 2048);
	CHECK_STR(cfg->db_host, "db.example.org");
	CHECK(cfg->db_port == 3307);
	CHECK_STR(cfg->db_user, "gg");
	CHECK_STR(cfg->db_password, "pw-Secret-Value-77");
	CHECK_STR(cfg->db_name, "gg_test");
	CHECK(cfg->db_pool_size == 8);
	CHECK_STR(cfg->log_level, "debug");
	CHECK_STR(cfg->log_format, "json");
	CHECK_STR(cfg->game_timezone, "UTC");
	CHECK(cfg->game_country_code == 44);
	CHECK_STR(cfg->admin_token, "Adm1n-T0ken-0123456789");
	CHECK_STR(cfg->inbound_kannel_secret, "Kannel-Secret-0123456789");
	CHECK_STR(cfg->node_name, "node-a");
	/* untouched keys keep their defaults */
	CHECK(cfg->http_max_header_bytes == 8192);
	CHECK_STR(cfg->db_socket, "");

	char *d = dump_string(cfg);
	snprintf(want, sizeof(want), "http.listen = [::1]:9090    # %s:5\n", t.path);
	CHECK_CONTAINS(d, want);
	snprintf(want, sizeof(want), "database.pool_size = 8    # %s:14\n", t.path);
	CHECK_CONTAINS(d, want);
	snprintf(want, sizeof(want), "log.format = json    # %s:18\n", t.path);
	CHECK_CONTAINS(d, want);
	CHECK_CONTAINS(d, "http.request_timeout_s = 30    # default\n");
	free(d);

	CHECK(config_finish(cfg, &errors) == 0);
	CHECK_STR(buf_cstr(&errors), "");
	buf_free(&errors);
	config_free(cfg);
}

static void
test_listen_forms(void)
{
	static const struct {
		const char *value;
		const char *host;
		int port;
	} cases[] = {
	    {"[::1]:9090", "::1", 9090},
	    {"[fe80::1:2]:80", "fe80::1:2", 80},
	    {"0.0.0.0:0", "0.0.0.0", 0},
	    {"localhost:65535", "localhost", 65535},
	    {"my-host.example:1", "my-host.example", 1},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config *cfg = config_new();
		struct buf errors = BUF_INIT;
		char assignment[128];
		snprintf(assignment, sizeof(assignment), "http.listen=%s", cases[i].value);
		CHECK(config_set(cfg, assignment, &errors) == 0);
		CHECK_STR(buf_cstr(&errors), "");
		CHECK_STR(cfg->http_listen, cases[i].value);
		CHECK_STR(cfg->http_host, cases[i].host);
		CHECK(cfg->http_port == cases[i].port);
		buf_free(&errors);
		config_free(cfg);
	}
}

/* One bad line in a file: -1, one message naming path:line, the key and what is
 * expected; nothing in the config changed. */
struct bad_case {
	const char *text;
	int line;             /* the line the message names */
	const char *want[4];  /* every one must be in the message */
	const char *not_want; /* must not be in the message (a secret), or NULL */
};

static const struct bad_case bad_cases[] = {
    /* unknown key, near miss */
    {"[database]\nprot = 3307\n",
     2,
     {"unknown key \"prot\" in [database]", "did you mean port?",
      "(keys of [database]: host, port, socket, user, password, name, pool_size"},
     NULL},
    {"[http]\nlisen = 1.2.3.4:80\n",
     2,
     {"unknown key \"lisen\" in [http]", "did you mean listen?"},
     NULL},
    /* unknown key, nothing close: no hint */
    {"[http]\nwibble = 1\n",
     2,
     {"unknown key \"wibble\" in [http]", "(keys of [http]: listen"},
     "did you mean"},
    /* unknown section, reported once for all its keys */
    {"[databse]\nport = 3307\nuser = x\n",
     1,
     {"unknown section [databse]", "did you mean [database]?"},
     NULL},
    {"[zzzzzzzz]\nport = 3307\n", 1, {"unknown section [zzzzzzzz]"}, "did you mean"},
    /* numbers out of range, not a number */
    {"[database]\npool_size = 0\n",
     2,
     {"database.pool_size: \"0\" is not valid", "expected a whole number from 1 to 256"},
     NULL},
    {"[database]\npool_size = 257\n",
     2,
     {"database.pool_size: \"257\" is not valid", "from 1 to 256"},
     NULL},
    {"[database]\nport = 70000\n",
     2,
     {"database.port: \"70000\" is not valid", "expected a whole number from 1 to 65535"},
     NULL},
    {"[database]\nport = abc\n",
     2,
     {"database.port: \"abc\" is not valid", "expected a whole number from 1 to 65535"},
     NULL},
    {"[database]\nport = 33o6\n",
     2,
     {"database.port: \"33o6\" is not valid", "whole number"},
     NULL},
    {"[database]\nport = 99999999999999999999999\n",
     2,
     {"database.port: \"99999999999999999999999\" is not valid", "whole number"},
     NULL},
    {"[http]\nmax_body_bytes = -1\n",
     2,
     {"http.max_body_bytes: \"-1\" is not valid", "from 1024 to 16777216"},
     NULL},
    /* enum */
    {"[log]\nlevel = loud\n",
     2,
     {"log.level: \"loud\" is not valid", "expected one of debug|info|warn|error"},
     NULL},
    {"[log]\nlevel = INFO\n", 2, {"log.level: \"INFO\" is not valid", "one of debug|info"}, NULL},
    {"[log]\nformat = inf\n", 2, {"log.format: \"inf\" is not valid", "one of plain|json"}, NULL},
    /* listen */
    {"[http]\nlisten = nohost\n",
     2,
     {"http.listen: \"nohost\" is not valid",
      "expected host:port, e.g. 127.0.0.1:8080 or [::1]:8080"},
     NULL},
    {"[http]\nlisten = 1.2.3.4:99999\n", 2, {"http.listen: \"1.2.3.4:99999\" is not valid"}, NULL},
    {"[http]\nlisten = ::1:80\n", 2, {"http.listen: \"::1:80\" is not valid", "[::1]:8080"}, NULL},
    {"[http]\nlisten = []:80\n", 2, {"http.listen: \"[]:80\" is not valid"}, NULL},
    {"[http]\nlisten = host:\n", 2, {"http.listen: \"host:\" is not valid"}, NULL},
    {"[http]\nlisten = :8080\n", 2, {"http.listen: \":8080\" is not valid"}, NULL},
    {"[http]\nlisten = ho st:80\n", 2, {"http.listen: \"ho st:80\" is not valid"}, NULL},
    {"[http]\nlisten =\n", 2, {"http.listen: \"\" is not valid"}, NULL},
    /* time zone */
    {"[game]\ntimezone = Mars/Olympus\n",
     2,
     {"game.timezone: \"Mars/Olympus\" is not valid", "expected an IANA time zone name"},
     NULL},
    {"[game]\ntimezone = ../etc/passwd\n",
     2,
     {"game.timezone: \"../etc/passwd\" is not valid", "IANA time zone"},
     NULL},
    {"[game]\ntimezone = /etc/passwd\n", 2, {"game.timezone: \"/etc/passwd\" is not valid"}, NULL},
    {"[game]\ntimezone = Asia\n", 2, {"game.timezone: \"Asia\" is not valid"}, NULL},
    /* secrets: too short, with a space; the value is never echoed */
    {"[admin]\ntoken = Sh0rtSecret1\n",
     2,
     {"admin.token: the value given is not valid",
      "expected empty, or at least 16 printable characters without spaces"},
     "Sh0rtSecret1"},
    {"[inbound]\nkannel_secret = Has a Space 0123456789\n",
     2,
     {"inbound.kannel_secret: the value given is not valid", "at least 16"},
     "Space 0123"},
    /* key before any section */
    {"listen = 1.2.3.4:80\n[http]\n",
     1,
     {"key \"listen\" stands before any [section]", "e.g. [http]"},
     NULL},
    /* not key = value */
    {"[http]\nthis is not a setting\n",
     2,
     {"cannot read this line", "expected key = value, [section], or a comment"},
     NULL},
    {"[http]\n[log\n", 2, {"cannot read this line"}, NULL},
};

static void
test_bad_lines(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct config *cfg = config_new();
		struct buf errors = BUF_INIT;
		struct test_tmpfile t;
		char at[600];

		int rc = load_text(cfg, c->text, &t, &errors);
		const char *e = buf_cstr(&errors);
		if (rc != -1 || count_lines(e) != 1)
			fprintf(stderr, "  case %zu (%s): rc %d, messages:\n%s", i, c->text, rc, e);
		CHECK(rc == -1);
		CHECK(count_lines(e) == 1);
		where(at, sizeof(at), &t, c->line);
		CHECK(strncmp(e, at, strlen(at)) == 0);
		CHECK_CONTAINS(e, at);
		for (size_t j = 0; j < 4 && c->want[j] != NULL; j++)
			CHECK_CONTAINS(e, c->want[j]);
		if (c->not_want != NULL) {
			if (strstr(e, c->not_want) != NULL)
				fprintf(stderr, "  case %zu: message shows \"%s\"\n", i,
				        c->not_want);
			CHECK(strstr(e, c->not_want) == NULL);
		}
		CHECK(is_default(cfg));
		buf_free(&errors);
		config_free(cfg);
	}
}

/* A rejected value keeps the one set before it (not only the default). */
static void
test_error_keeps_previous_value(void)
{
	struct config *cfg = config_new();
	struct buf errors = BUF_INIT;
	struct test_tmpfile t;
	char want[700];

	CHECK(load_text(cfg,
	                "[database]\n"
	                "pool_size = 8\n"
	                "pool_size = 0\n"
	                "[http]\n"
	                "listen = 10.1.2.3:4444\n"
	                "listen = 10.1.2.3:99999\n"
	                "[admin]\n"
	                "token = Good-Token-0123456789\n"
	                "token = bad\n",
	                &t, &errors) == -1);
	CHECK(count_lines(buf_cstr(&errors)) == 3);
	CHECK(cfg->db_pool_size == 8);
	CHECK_STR(cfg->http_listen, "10.1.2.3:4444");
	CHECK_STR(cfg->http_host, "10.1.2.3");
	CHECK(cfg->http_port == 4444);
	CHECK_STR(cfg->admin_token, "Good-Token-0123456789");
	char *d = dump_string(cfg);
	snprintf(want, sizeof(want), "database.pool_size = 8    # %s:2\n", t.path);
	CHECK_CONTAINS(d, want);
	snprintf(want, sizeof(want), "http.listen = 10.1.2.3:4444    # %s:5\n", t.path);
	CHECK_CONTAINS(d, want);
	free(d);
	buf_free(&errors);
	config_free(cfg);
}

static void
test_many_problems_all_reported(void)
{
	struct config *cfg = config_new();
	struct buf errors = BUF_INIT;
	struct test_tmpfile t;
	char at[600];
	static const int lines[] = {2, 3, 4, 8, 9, 10, 12};

	CHECK(load_text(cfg,
	                "[http]\n"             /* 1 */
	                "listen = nohost\n"    /* 2 bad listen */
	                "max_body_bytes = 1\n" /* 3 out of range */
	                "[databse]\n"          /* 4 unknown section */
	                "port = 1\n"           /* 5 (unknown section, reported at 4) */
	                "user = x\n"           /* 6 (same section: not again) */
	                "[database]\n"         /* 7 */
	                "prot = 1\n"           /* 8 unknown key */
	                "pool_size = 0\n"      /* 9 out of range */
	                "this line is wrong\n" /* 10 not key = value */
	                "[log]\n"              /* 11 */
	                "level = loud\n"       /* 12 bad enum */
	                "format = json\n",     /* 13 good */
	                &t, &errors) == -1);
	const char *e = buf_cstr(&errors);
	CHECK(count_lines(e) == 7);
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		where(at, sizeof(at), &t, lines[i]);
		CHECK_CONTAINS(e, at);
	}
	where(at, sizeof(at), &t, 6);
	CHECK(strstr(e, at) == NULL);
	/* the good line still applied, the bad ones did not */
	CHECK_STR(cfg->log_format, "json");
	CHECK_STR(cfg->log_level, "info");
	CHECK(cfg->db_pool_size == 4);
	if (count_lines(e) != 7)
		fprintf(stderr, "%s", e);
	buf_free(&errors);
	config_free(cfg);
}

/* Two lines that are not key = value: both are problems and both must be reported
 * (config.h: "Every problem is reported as one line"). */
static void
test_two_unreadable_lines_both_reported(void)
{
	struct config *cfg = config_new();
	struct buf errors = BUF_INIT;
	struct test_tmpfile t;
	char at[600];

	CHECK(load_text(cfg,
	                "[http]\n"
	                "first broken line\n"
	                "listen = 10.0.0.1:81\n"
	                "second broken line\n",
	                &t, &errors) == -1);
	const char *e = buf_cstr(&errors);
	where(at, sizeof(at), &t, 2);
	CHECK_CONTAINS(e, at);
	where(at, sizeof(at), &t, 4);
	CHECK_CONTAINS(e, at);
	CHECK(count_lines(e) == 2);
	CHECK_STR(cfg->http_listen, "10.0.0.1:81");
	buf_free(&errors);
	config_free(cfg);
}

/* An indented "key = value" line must not silently become part of the previous value
 * (inih's multi-line continuation): either it is read as its own key or it is reported. */
static void
test_indented_key_not_a_continuation(void)
{
	struct config *cfg = config_new();
	struct buf errors = BUF_INIT;
	struct test_tmpfile t;
	char at[600];

	int rc = load_text(cfg,
	                   "[database]\n"
	                   "user = gg\n"
	                   "  password = Db-Pa55word-xyz\n",
	                   &t, &errors);
	CHECK_STR(cfg->db_user, "gg");
	if (rc == 0) {
		CHECK_STR(cfg->db_password, "Db-Pa55word-xyz");
		CHECK_STR(buf_cstr(&errors), "");
	} else {
		where(at, sizeof(at), &t, 3);
		CHECK(rc == -1);
		CHECK_CONTAINS(buf_cstr(&errors), at);
		CHECK(strstr(buf_cstr(&errors), "Db-Pa55word") == NULL);
	}
	buf_free(&errors);
	config_free(cfg);
}

/* Builds "[node]\nname = xxx...\n[log]\nlevel = debug\n" whose second line is exactly
 * line_len bytes (without its '\n'). */
static char *
long_line_file(size_t line_len)
{
	static const char head[] = "[node]\n",
	                  key[] = "name = ", tail[] = "\n[log]\nlevel = debug\n";
	size_t vlen = line_len - (sizeof(key) - 1);
	size_t total = sizeof(head) - 1 + line_len + sizeof(tail) - 1;
	char *s = malloc(total + 1);
	char *p = s;
	memcpy(p, head, sizeof(head) - 1);
	p += sizeof(head) - 1;
	memcpy(p, key, sizeof(key) - 1);
	p += sizeof(key) - 1;
	memset(p, 'x', vlen);
	p += vlen;
	memcpy(p, tail, sizeof(tail));
	return s;
}

static void
test_long_line(void)
{
	static const size_t rejected[] = {199, 200, 201, 260, 1000};
	char at[600];

	for (size_t i = 0; i < sizeof(rejected) / sizeof(rejected[0]); i++) {
		struct config *cfg = config_new();
		struct buf errors = BUF_INIT;
		struct test_tmpfile t;
		char *text = long_line_file(rejected[i]);
		CHECK(load_text(cfg, text, &t, &errors) == -1);
		const char *e = buf_cstr(&errors);
		where(at, sizeof(at), &t, 2);
		CHECK_CONTAINS(e, at);
		CHECK_CONTAINS(e, "line is longer than 198 bytes");
		if (count_lines(e) != 1)
			fprintf(stderr, "  line of %zu bytes:\n%s", rejected[i], e);
		CHECK(count_lines(e) == 1);
		/* no truncated value was applied, and the lines after it were read */
		CHECK_STR(cfg->node_name, "");
		CHECK_STR(cfg->log_level, "debug");
		free(text);
		buf_free(&errors);
		config_free(cfg);
	}

	/* A line of exactly 198 bytes is fine. */
	struct config *cfg = config_new();
	struct buf errors = BUF_INIT;
	struct test_tmpfile t;
	char *text = long_line_file(198);
	CHECK(load_text(cfg, text, &t, &errors) == 0);
	CHECK_STR(buf_cstr(&errors), "");
	CHECK(strlen(cfg->node_name) == 198 - strlen("name = "));
	CHECK_STR(cfg->log_level, "debug");
	free(text);
	buf_free(&errors);
	config_free(cfg);
}

static void
test_missing_file(void)
{
	struct config *cfg = config_new();
	struct buf errors = BUF_INIT;
	const char *path = "/nonexistent-gamigate-dir/gamigate.conf";

	CHECK(config_load_file(cfg, path, &errors) == -1);
	CHECK_CONTAINS(buf_cstr(&errors), "/nonexistent-gamigate-dir/gamigate.conf: ");
	CHECK_CONTAINS(buf_cstr(&errors), "cannot open the configuration file");
	CHECK_CONTAINS(buf_cstr(&errors), "No such file or directory");
	CHECK(count_lines(buf_cstr(&errors)) == 1);
	CHECK(is_default(cfg));
	buf_free(&errors);
	config_free(cfg);
}

static void
test_env(void)
{
	struct config *cfg = config_new();
	struct buf errors = BUF_INIT;
	static const char *const vars[] = {
	    "PATH=/usr/bin",
	    "GAMIGATE_HTTP_LISTEN=0.0.0.0:7070",
	    "GAMIGATE_DATABASE_POOL_SIZE=12",
	    "GAMIGATE_DB_DIR=/tmp/somewhere", /* tools/ variables: section "db" is not ours */
	    "GAMIGATE_DB_PORT=3399",
	    "GAMIGATE_BIN=/usr/bin/gamigate",
	    "GAMIGATE_TEST_DB_SOCKET_FILE=/tmp/x.socket",
	    "GAMIGATE_=x",
	    "NOT_GAMIGATE_HTTP_LISTEN=1.1.1.1:1",
	    NULL,
	};
	char **envp = env_new(vars);

	CHECK(config_apply_env(cfg, envp, &errors) == 0);
	CHECK_STR(buf_cstr(&errors), "");
	CHECK_STR(cfg->http_listen, "0.0.0.0:7070");
	CHECK_STR(cfg->http_host, "0.0.0.0");
	CHECK(cfg->http_port == 7070);
	CHECK(cfg->db_pool_size == 12);
	CHECK(cfg->db_port == 3306);
	char *d = dump_string(cfg);
	CHECK_CONTAINS(d, "http.listen = 0.0.0.0:7070    # environment GAMIGATE_HTTP_LISTEN\n");
	CHECK_CONTAINS(d, "database.pool_size = 12    # environment GAMIGATE_DATABASE_POOL_SIZE\n");
	free(d);
	env_free(envp);
	buf_free(&errors);
	config_free(cfg);
}

static void
test_env_errors(void)
{
	static const struct {
		const char *var;
		const char *want[3];
		const char *not_want;
	} cases[] = {
	    {"GAMIGATE_DATABASE_PROT=3307",
	     {"environment GAMIGATE_DATABASE_PROT: unknown key database.prot", "did you mean port?",
	      "(keys of [database]: host"},
	     "3307"},
	    {"GAMIGATE_DATABASE_POOL_SIZE=0",
	     {"environment GAMIGATE_DATABASE_POOL_SIZE: database.pool_size: \"0\" is not valid",
	      "from 1 to 256"},
	     NULL},
	    {"GAMIGATE_HTTP_LISTEN=::1:80",
	     {"environment GAMIGATE_HTTP_LISTEN: http.listen: \"::1:80\" is not valid"},
	     NULL},
	    {"GAMIGATE_LOG_LEVEL=loud",
	     {"environment GAMIGATE_LOG_LEVEL: log.level: \"loud\"",
	      "one of debug|info|warn|error"},
	     NULL},
	    {"GAMIGATE_ADMIN_TOKEN=Sh0rtSecret1",
	     {"environment GAMIGATE_ADMIN_TOKEN: admin.token: the value given is not valid"},
	     "Sh0rtSecret1"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config *cfg = config_new();
		struct buf errors = BUF_INIT;
		char var[128];
		snprintf(var, sizeof(var), "%s", cases[i].var);
		char *const envp[] = {var, NULL};
		CHECK(config_apply_env(cfg, envp, &errors) == -1);
		const char *e = buf_cstr(&errors);
		CHECK(count_lines(e) == 1);
		for (size_t j = 0; j < 3 && cases[i].want[j] != NULL; j++)
			CHECK_CONTAINS(e, cases[i].want[j]);
		if (cases[i].not_want != NULL)
			CHECK(strstr(e, cases[i].not_want) == NULL);
		CHECK(is_default(cfg));
		buf_free(&errors);
		config_free(cfg);
	}
}

/* A database password too long to accept is reported without showing it. */
static void
test_env_password_not_echoed(void)
{
	struct config *cfg = config_new();
	struct buf errors = BUF_INIT;
	size_t n = strlen("GAMIGATE_DATABASE_PASSWORD=") + 1100;
	char *var = malloc(n + 1);
	snprintf(var, n + 1, "GAMIGATE_DATABASE_PASSWORD=");
	memset(var + strlen(var), 'P', 1100);
	var[n] = '\0';
	char *const envp[] = {var, NULL};

	CHECK(config_apply_env(cfg, envp, &errors) == -1);
	CHECK_CONTAINS(
	    buf_cstr(&errors),
	    "environment GAMIGATE_DATABASE_PASSWORD: database.password: the value given");
	CHECK(strstr(buf_cstr(&errors), "PPPPPPPP") == NULL);
	CHECK_STR(cfg->db_password, "");
	free(var);
	buf_free(&errors);
	config_free(cfg);
}

/* Applied in the order main.c uses: file, then environment, then --set. */
static void
test_precedence(void)
{
	struct config *cfg = config_new();
	struct buf errors = BUF_INIT;
	struct test_tmpfile t;
	char want[700];
	static const char *const vars[] = {
	    "GAMIGATE_HTTP_LISTEN=10.0.0.2:1002",
	    "GAMIGATE_DATABASE_POOL_SIZE=20",
	    NULL,
	};
	char **envp = env_new(vars);

	CHECK(load_text(cfg,
	                "[http]\n"
	                "listen = 10.0.0.1:1001\n"
	                "[database]\n"
	                "pool_size = 10\n"
	                "queue_max = 500\n",
	                &t, &errors) == 0);
	CHECK(config_apply_env(cfg, envp, &errors) == 0);
	CHECK(config_set(cfg, "http.listen=10.0.0.3:1003", &errors) == 0);
	CHECK_STR(buf_cstr(&errors), "");

	CHECK_STR(cfg->http_listen, "10.0.0.3:1003");
	CHECK_STR(cfg->http_host, "10.0.0.3");
	CHECK(cfg->http_port == 1003);
	CHECK(cfg->db_pool_size == 20);
	CHECK(cfg->db_queue_max == 500);

	char *d = dump_string(cfg);
	CHECK_CONTAINS(d, "http.listen = 10.0.0.3:1003    # --set\n");
	CHECK_CONTAINS(d, "database.pool_size = 20    # environment GAMIGATE_DATABASE_POOL_SIZE\n");
	snprintf(want, sizeof(want), "database.queue_max = 500    # %s:5\n", t.path);
	CHECK_CONTAINS(d, want);
	CHECK_CONTAINS(d, "database.port = 3306    # default\n");
	free(d);
	env_free(envp);
	buf_free(&errors);
	config_free(cfg);
}

static void
test_set(void)
{
	static const struct {
		const char *assignment;
		int rc;
		const char *want[3];
	} cases[] = {
	    {"http.listen=127.0.0.1:9090", 0, {NULL}},
	    {"database.pool_size=16", 0, {NULL}},
	    {"node.name=a.b=c", 0, {NULL}},
	    {"http.listen",
	     -1,
	     {"--set: \"http.listen\" is not section.key=value",
	      "e.g. --set http.listen=127.0.0.1:9090"}},
	    {"listen=1.2.3.4:80", -1, {"--set: \"listen\" is not section.key=value"}},
	    {"=x", -1, {"--set: \"\" is not section.key=value"}},
	    {".listen=x", -1, {"--set: \".listen\" is not section.key=value"}},
	    {"http.=x", -1, {"--set: \"http.\" is not section.key=value"}},
	    {"", -1, {"--set: \"\" is not section.key=value"}},
	    {"databse.port=1",
	     -1,
	     {"--set databse.port: unknown section [databse]", "did you mean [database]?"}},
	    {"database.prot=1",
	     -1,
	     {"--set database.prot: unknown key database.prot", "did you mean port?",
	      "(keys of [database]: host"}},
	    {"database.pool_size=0",
	     -1,
	     {"--set: database.pool_size: \"0\" is not valid", "from 1 to 256"}},
	    {"log.level=loud", -1, {"--set: log.level: \"loud\"", "one of debug|info|warn|error"}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config *cfg = config_new();
		struct buf errors = BUF_INIT;
		int rc = config_set(cfg, cases[i].assignment, &errors);
		const char *e = buf_cstr(&errors);
		if (rc != cases[i].rc)
			fprintf(stderr, "  --set %s: rc %d, expected %d: %s\n", cases[i].assignment,
			        rc, cases[i].rc, e);
		CHECK(rc == cases[i].rc);
		if (cases[i].rc == 0) {
			CHECK_STR(e, "");
		} else {
			CHECK(count_lines(e) == 1);
			CHECK(is_default(cfg));
		}
		for (size_t j = 0; j < 3 && cases[i].want[j] != NULL; j++)
			CHECK_CONTAINS(e, cases[i].want[j]);
		buf_free(&errors);
		config_free(cfg);
	}

	struct config *cfg = config_new();
	struct buf errors = BUF_INIT;
	CHECK(config_set(cfg, "node.name=a.b=c", &errors) == 0);
	CHECK_STR(cfg->node_name, "a.b=c");
	CHECK(config_set(cfg, "database.pool_size=16", &errors) == 0);
	CHECK(cfg->db_pool_size == 16);
	buf_free(&errors);
	config_free(cfg);
}

static void
test_finish(void)
{
	struct config *cfg = config_new();
	struct buf errors = BUF_INIT;

	CHECK(config_finish(cfg, &errors) == -1);
	const char *e = buf_cstr(&errors);
	CHECK(count_lines(e) == 1);
	CHECK_CONTAINS(e, "admin.token is required but not set");
	CHECK_CONTAINS(e, "under [admin]");
	CHECK_CONTAINS(e, "GAMIGATE_ADMIN_TOKEN in the environment");
	CHECK_CONTAINS(e, "at least 16 printable characters");

	buf_reset(&errors);
	CHECK(config_set(cfg, "admin.token=Adm1n-T0ken-0123456789", &errors) == 0);
	CHECK(config_finish(cfg, &errors) == 0);
	CHECK_STR(buf_cstr(&errors), "");
	buf_free(&errors);
	config_free(cfg);
}

static void
test_dump_hides_secrets(void)
{
	struct config *cfg = config_new();
	struct buf errors = BUF_INIT;

	CHECK(config_set(cfg, "admin.token=Adm1n-T0ken-0123456789", &errors) == 0);
	CHECK(config_set(cfg, "database.password=Db-Pa55word-xyz", &errors) == 0);
	CHECK(config_set(cfg, "inbound.kannel_secret=Kannel-Secret-0123456789", &errors) == 0);
	CHECK(config_set(cfg, "database.user=app_user", &errors) == 0);
	CHECK_STR(buf_cstr(&errors), "");

	char *d = dump_string(cfg);
	CHECK_CONTAINS(d, "admin.token = (set, hidden)    # --set\n");
	CHECK_CONTAINS(d, "database.password = (set, hidden)    # --set\n");
	CHECK_CONTAINS(d, "inbound.kannel_secret = (set, hidden)    # --set\n");
	CHECK_CONTAINS(d, "inbound.json_secret =     # default\n");
	CHECK_CONTAINS(d, "database.user = app_user    # --set\n");
	CHECK(strstr(d, "Adm1n-T0ken") == NULL);
	CHECK(strstr(d, "Db-Pa55word") == NULL);
	CHECK(strstr(d, "Kannel-Secret") == NULL);
	free(d);
	buf_free(&errors);
	config_free(cfg);
}

static void
test_sample_parses_back(void)
{
	struct config *cfg = config_new();
	struct buf errors = BUF_INIT;
	struct test_tmpfile t;
	char *s = sample_string();

	CHECK_CONTAINS(s, "[http]\n");
	CHECK_CONTAINS(s, "#listen = 127.0.0.1:8080\n");
	CHECK_CONTAINS(s, "# Expected: empty, or at least 16 printable characters without spaces."
	                  " Required.\n");
	CHECK(load_text(cfg, s, &t, &errors) == 0);
	CHECK_STR(buf_cstr(&errors), "");
	CHECK(is_default(cfg));
	config_free(cfg);

	/* Uncomment every "#key = default" line: the defaults are valid through the file
	 * reader too, and every key the sample shows is known. */
	struct buf un = BUF_INIT;
	int keys = 0;
	for (const char *p = s; *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p + 1) : strlen(p);
		if (p[0] == '#' && p[1] >= 'a' && p[1] <= 'z') {
			buf_append(&un, p + 1, len - 1);
			keys++;
		} else {
			buf_append(&un, p, len);
		}
		p += len;
	}
	CHECK(keys >= 25);
	cfg = config_new();
	CHECK(load_text(cfg, buf_cstr(&un), &t, &errors) == 0);
	CHECK_STR(buf_cstr(&errors), "");
	CHECK_STR(cfg->http_listen, "127.0.0.1:8080");
	CHECK(cfg->http_port == 8080);
	CHECK(cfg->db_pool_size == 4);
	CHECK_STR(cfg->game_timezone, "Asia/Tehran");
	char *d = dump_string(cfg);
	CHECK(strstr(d, "# default\n") == NULL); /* every key came from the file */
	free(d);
	config_free(cfg);
	buf_free(&un);
	buf_free(&errors);
	free(s);
}

static void
test_keys_listing(void)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);
	CHECK(f != NULL);
	if (f == NULL)
		return;
	config_keys(f);
	fclose(f);
	CHECK_CONTAINS(s, "http.listen\n    default: 127.0.0.1:8080\n");
	CHECK_CONTAINS(s, "    environment: GAMIGATE_HTTP_LISTEN\n");
	CHECK_CONTAINS(s, "admin.token\n    default: (empty) (required)\n");
	CHECK_CONTAINS(s, "    expected: a whole number from 1 to 256\n");
	free(s);
}

int
main(void)
{
	RUN(test_defaults);
	RUN(test_good_file);
	RUN(test_listen_forms);
	RUN(test_bad_lines);
	RUN(test_error_keeps_previous_value);
	RUN(test_many_problems_all_reported);
	RUN(test_two_unreadable_lines_both_reported);
	RUN(test_indented_key_not_a_continuation);
	RUN(test_long_line);
	RUN(test_missing_file);
	RUN(test_env);
	RUN(test_env_errors);
	RUN(test_env_password_not_echoed);
	RUN(test_precedence);
	RUN(test_set);
	RUN(test_finish);
	RUN(test_dump_hides_secrets);
	RUN(test_sample_parses_back);
	RUN(test_keys_listing);
	return check_summary();
}
