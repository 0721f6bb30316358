/*
 * test_grammar — src/route/grammar.c: the shipped conf/grammar.json against a table of
 * real-looking, already normalised messages (keywords in both languages, aliases,
 * shortcuts, reserved words with trailing text, arguments, the keyword-prefix quirk,
 * near misses, noise, invalid UTF-8); a campaign-style grammar (arguments, optional
 * groups, longest match, reserved with args); and bad grammar files, each checked for
 * the place its message names. Run under ASan, load/free cycles show no leak.
 */
#include "route/grammar.h"

#include "check.h"
#include "tmpfile.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef GAMIGATE_GRAMMAR_JSON
#error "GAMIGATE_GRAMMAR_JSON must name conf/grammar.json (set by tests/unit/CMakeLists.txt)"
#endif

static struct grammar *shipped;

struct grammar_case {
	const char *text;
	enum route_status status;
	const char *command;  /* NULL for unknown */
	const char *lang;     /* NULL for shortcuts and unknown */
	const char *arg_name; /* the one expected argument, or NULL for none */
	const char *arg_value;
	const char *suggestion; /* "" for none */
};

#define OK(t, c, l)                                                                                \
	{                                                                                          \
		t, ROUTE_OK, c, l, NULL, NULL, ""                                                  \
	}
#define OK_ARG(t, c, l, n, v)                                                                      \
	{                                                                                          \
		t, ROUTE_OK, c, l, n, v, ""                                                        \
	}
#define SHORT(t, c)                                                                                \
	{                                                                                          \
		t, ROUTE_OK, c, NULL, NULL, NULL, ""                                               \
	}
#define BAD(t, c, l)                                                                               \
	{                                                                                          \
		t, ROUTE_BAD_ARGS, c, l, NULL, NULL, ""                                            \
	}
#define UNK(t, s)                                                                                  \
	{                                                                                          \
		t, ROUTE_UNKNOWN, NULL, NULL, NULL, NULL, s                                        \
	}

static const struct grammar_case shipped_cases[] = {
    /* reserved, English, alone and with trailing text */
    OK("stop", "stop", "en"),
    OK("STOP", "stop", "en"),
    OK("Stop Please", "stop", "en"),
    OK("stop please", "stop", "en"),
    OK("stop all messages", "stop", "en"),
    OK("stop 3000", "stop", "en"),
    OK("unsubscribe", "stop", "en"),
    OK("unsubscribe me now", "stop", "en"),
    OK("cancel", "stop", "en"),
    OK("cancel my subscription", "stop", "en"),
    OK("end", "stop", "en"),
    OK("quit", "stop", "en"),
    OK("stopall", "stop", "en"),
    OK("optout", "stop", "en"),
    OK("opt-out", "stop", "en"),
    OK("unsub", "stop", "en"),
    OK("revoke", "stop", "en"),
    OK("start", "start", "en"),
    OK("resume", "start", "en"),
    OK("unstop", "start", "en"),
    OK("start again", "start", "en"),
    OK("help", "help", "en"),
    OK("help me", "help", "en"),
    OK("info", "help", "en"),
    OK("menu", "help", "en"),
    OK("?", "help", "en"),
    OK("? ?", "help", "en"),
    /* reserved, Persian (and Finglish, answered in Persian) */
    OK("لغو", "stop", "fa"),
    OK("لغو کن", "stop", "fa"),
    OK("لغو عضویت", "stop", "fa"),
    OK("توقف", "stop", "fa"),
    OK("خروج", "stop", "fa"),
    OK("انصراف", "stop", "fa"),
    OK("قطع", "stop", "fa"),
    OK("قطع کنید لطفا", "stop", "fa"),
    OK("استاپ", "stop", "fa"),
    OK("laghv", "stop", "fa"),
    OK("enseraf", "stop", "fa"),
    OK("شروع", "start", "fa"),
    OK("ادامه", "start", "fa"),
    OK("فعال", "start", "fa"),
    OK("فعال سازی", "start", "fa"),
    OK("فعالسازی", "start", "fa"),
    OK("shoroo", "start", "fa"),
    OK("راهنما", "help", "fa"),
    OK("راهنمایی", "help", "fa"),
    OK("راهنمایی کنید", "help", "fa"),
    OK("کمک", "help", "fa"),
    OK("منو", "help", "fa"),
    OK("؟", "help", "fa"),
    OK("rahnama", "help", "fa"),
    OK("komak", "help", "fa"),
    /* shortcuts: the whole message, no language */
    SHORT("11", "stop"),
    SHORT("12", "start"),
    SHORT("0", "help"),
    SHORT("1", "join"),
    SHORT("2", "points"),
    SHORT("3", "spin"),
    UNK("00", ""),
    UNK("011", ""),
    UNK("111", ""),
    UNK("123456", ""),
    UNK("3000", ""),
    UNK("1 1", ""),
    UNK("11 stop", ""),
    /* join: trailing text is ignored */
    OK("join", "join", "en"),
    OK("join now", "join", "en"),
    OK("JOIN", "join", "en"),
    OK("register", "join", "en"),
    OK("subscribe", "join", "en"),
    OK("yes", "join", "en"),
    OK("yes please", "join", "en"),
    OK("signup", "join", "en"),
    OK("sign up", "join", "en"),
    OK("sign up now", "join", "en"),
    OK("عضویت", "join", "fa"),
    OK("عضویت در باشگاه", "join", "fa"),
    OK("ثبت نام", "join", "fa"),
    OK("ثبتنام", "join", "fa"),
    OK("ثبت نام کنید", "join", "fa"),
    OK("عضو", "join", "fa"),
    OK("عضو میشم", "join", "fa"),
    OK("بله", "join", "fa"),
    OK("آره", "join", "fa"),
    OK("ozviat", "join", "fa"),
    OK("sabtenam", "join", "fa"),
    OK("bale", "join", "fa"),
    /* lang: arguments anchored at both ends */
    OK_ARG("lang fa", "lang", "en", "lang", "fa"),
    OK_ARG("lang en", "lang", "en", "lang", "en"),
    OK_ARG("lang english", "lang", "en", "lang", "english"),
    OK_ARG("lang farsi", "lang", "en", "lang", "farsi"),
    OK_ARG("lang persian", "lang", "en", "lang", "persian"),
    OK_ARG("language en", "lang", "en", "lang", "en"),
    OK_ARG("LANG FA", "lang", "en", "lang", "FA"),
    OK_ARG("lang فارسی", "lang", "en", "lang", "فارسی"),
    OK_ARG("زبان فارسی", "lang", "fa", "lang", "فارسی"),
    OK_ARG("زبان انگلیسی", "lang", "fa", "lang", "انگلیسی"),
    OK_ARG("زبان en", "lang", "fa", "lang", "en"),
    OK_ARG("zaban fa", "lang", "fa", "lang", "fa"),
    BAD("lang", "lang", "en"),
    BAD("language", "lang", "en"),
    BAD("زبان", "lang", "fa"),
    BAD("lang de", "lang", "en"),
    BAD("lang fas", "lang", "en"),
    BAD("lang fa en", "lang", "en"),
    BAD("lang english please", "lang", "en"),
    BAD("زبان عربی", "lang", "fa"),
    /* points */
    OK("points", "points", "en"),
    OK("point", "points", "en"),
    OK("balance", "points", "en"),
    OK("score", "points", "en"),
    OK("pts", "points", "en"),
    OK("points please", "points", "en"),
    OK("امتیاز", "points", "fa"),
    OK("امتیازات", "points", "fa"),
    OK("امتیازم", "points", "fa"),
    OK("امتیاز من", "points", "fa"),
    OK("امتیازم چنده", "points", "fa"),
    OK("موجودی", "points", "fa"),
    OK("emtiaz", "points", "fa"),
    OK("emtiyaz", "points", "fa"),
    /* Kannel's prefix quirk does not apply: a keyword glued to more letters is no match */
    UNK("stopped", "stop"),
    UNK("helpme", "help"),
    UNK("joinnow", "join"),
    UNK("langfa", "lang"),
    UNK("information", "info"),
    UNK("winner", ""),
    UNK("ending", "end"),
    UNK("starter", "start"),
    UNK("لغوش", "لغو"),
    /* near misses */
    UNK("hlep", "help"),
    UNK("hepl", "help"),
    UNK("stpo", "stop"),
    UNK("stopp", "stop"),
    UNK("jion", "join"),
    UNK("strat", "start"),
    UNK("starts", "start"),
    UNK("regster", "register"),
    UNK("balanse", "balance"),
    UNK("pointss", "points"),
    UNK("lango", "lang"),
    UNK("lnag fa", "lang"),
    UNK("/stop", "stop"),
    UNK("end.", "end"),
    UNK("امتیا", "امتیاز"),
    UNK("امتیازز", "امتیاز"),
    UNK("راهنمی", "راهنما"),
    UNK("عضوبت", "عضویت"),
    UNK("توقفف", "توقف"),
    UNK("ثبت نامم", "ثبت نام"),
    UNK("ثبت", ""),
    /* unrelated text and noise */
    UNK("hello there", ""),
    UNK("hi", ""),
    UNK("ok", ""),
    UNK("salam", ""),
    UNK("سلام", ""),
    UNK("مرسی", ""),
    UNK("thanks", ""),
    UNK("what is this", ""),
    OK("spin", "spin", "en"),
    OK("گردونه", "spin", "fa"),
    OK("checkin", "checkin", "en"),
    OK("check in", "checkin", "en"),
    OK("حضور", "checkin", "fa"),
    SHORT("4", "checkin"),
    UNK("my points", ""),
    UNK("www.example.com", ""),
    UNK("\xf0\x9f\x8e\xa1", ""), /* ferris wheel emoji */
    UNK("\xf0\x9f\x8e\xa1 \xf0\x9f\x8e\xa1", ""),
    UNK("", ""),
    UNK(" ", ""),
    UNK("x", ""),
};

#define N_SHIPPED_CASES (sizeof(shipped_cases) / sizeof(shipped_cases[0]))

/* Checks one case; returns the number of mismatches (printed with the text). */
static int
check_case(const struct grammar *g, const struct grammar_case *c)
{
	struct route_match m;
	int bad = 0;

	grammar_match(g, c->text, strlen(c->text), &m);
	if (m.status != c->status) {
		fprintf(stderr, "  \"%s\": status %d, expected %d\n", c->text, m.status, c->status);
		bad++;
	}
	if ((m.command == NULL) != (c->command == NULL) ||
	    (c->command != NULL && strcmp(m.command, c->command) != 0)) {
		fprintf(stderr, "  \"%s\": command %s, expected %s\n", c->text,
		        m.command ? m.command : "(null)", c->command ? c->command : "(null)");
		bad++;
	}
	if ((m.lang == NULL) != (c->lang == NULL) ||
	    (c->lang != NULL && strcmp(m.lang, c->lang) != 0)) {
		fprintf(stderr, "  \"%s\": lang %s, expected %s\n", c->text,
		        m.lang ? m.lang : "(null)", c->lang ? c->lang : "(null)");
		bad++;
	}
	int reserved = c->command != NULL &&
	               (strcmp(c->command, "stop") == 0 || strcmp(c->command, "start") == 0 ||
	                strcmp(c->command, "help") == 0);
	if (m.reserved != reserved) {
		fprintf(stderr, "  \"%s\": reserved %d, expected %d\n", c->text, m.reserved,
		        reserved);
		bad++;
	}
	if (c->arg_name == NULL ? m.nargs != 0
	                        : (m.nargs != 1 || strcmp(m.args[0].name, c->arg_name) != 0 ||
	                           strcmp(m.args[0].value, c->arg_value) != 0)) {
		fprintf(stderr, "  \"%s\": %u args (first %s=%s), expected %s=%s\n", c->text,
		        m.nargs, m.nargs ? m.args[0].name : "-", m.nargs ? m.args[0].value : "-",
		        c->arg_name ? c->arg_name : "-", c->arg_value ? c->arg_value : "-");
		bad++;
	}
	if (strcmp(m.suggestion, c->suggestion) != 0) {
		fprintf(stderr, "  \"%s\": suggestion \"%s\", expected \"%s\"\n", c->text,
		        m.suggestion, c->suggestion);
		bad++;
	}
	if ((m.suggestion[0] != '\0') != (m.suggestion_command != NULL)) {
		fprintf(stderr, "  \"%s\": suggestion_command does not go with the suggestion\n",
		        c->text);
		bad++;
	}
	return bad;
}

static void
test_shipped_table(void)
{
	int bad = 0;
	CHECK(N_SHIPPED_CASES >= 120);
	for (size_t i = 0; i < N_SHIPPED_CASES; i++)
		bad += check_case(shipped, &shipped_cases[i]);
	CHECK(bad == 0);
	printf("     %zu cases on %s\n", N_SHIPPED_CASES, GAMIGATE_GRAMMAR_JSON);
}

static void
test_suggestion_commands(void)
{
	struct route_match m;
	grammar_match(shipped, "hlep", 4, &m);
	CHECK_STR(m.suggestion_command, "help");
	grammar_match(shipped, "امتیا", strlen("امتیا"), &m);
	CHECK_STR(m.suggestion_command, "points");
	grammar_match(shipped, "stop", 4, &m);
	CHECK(m.suggestion_command == NULL);
}

static void
test_accessors(void)
{
	static const char *const names[] = {"stop", "start",  "help", "join",
	                                    "lang", "points", "spin", "checkin"};
	/* The first eight in file order; game commands (redeem ...) follow them. */
	CHECK(grammar_count(shipped) >= 8);
	for (unsigned i = 0; i < 8; i++)
		CHECK_STR(grammar_command_name(shipped, i), names[i]);
	CHECK(grammar_command_name(shipped, grammar_count(shipped)) == NULL);
	CHECK_STR(grammar_keyword(shipped, "stop", "en"), "stop");
	CHECK_STR(grammar_keyword(shipped, "stop", "fa"), "لغو");
	CHECK_STR(grammar_keyword(shipped, "help", "fa"), "راهنما");
	CHECK_STR(grammar_keyword(shipped, "join", "fa"), "عضویت");
	CHECK(grammar_keyword(shipped, "stop", "de") == NULL);
	CHECK_STR(grammar_keyword(shipped, "spin", "en"), "spin");
	CHECK(grammar_keyword(shipped, "win", "en") == NULL);
	CHECK(grammar_keyword(shipped, NULL, "en") == NULL);
	CHECK_STR(grammar_usage(shipped, "lang"), "lang");
	CHECK_STR(grammar_usage(shipped, "points"), "points");
	CHECK_STR(grammar_usage(shipped, "spin"), "spin");
	CHECK(grammar_usage(shipped, "win") == NULL);
	CHECK(grammar_count(NULL) == 0);
}

/* m is filled completely whatever it held before, and NULL/empty input is safe. */
static void
test_match_fills_everything(void)
{
	struct route_match m;
	memset(&m, 0xA5, sizeof(m));
	grammar_match(shipped, "hello", 5, &m);
	CHECK(m.status == ROUTE_UNKNOWN && m.command == NULL && m.lang == NULL);
	CHECK(m.reserved == 0 && m.nargs == 0 && m.suggestion[0] == '\0');
	CHECK(m.suggestion_command == NULL);
	memset(&m, 0xA5, sizeof(m));
	grammar_match(shipped, NULL, 0, &m);
	CHECK(m.status == ROUTE_UNKNOWN && m.command == NULL);
	grammar_match(NULL, "stop", 4, &m);
	CHECK(m.status == ROUTE_UNKNOWN && m.command == NULL);
	/* Only len bytes count: "stop" out of "stopped". */
	grammar_match(shipped, "stopped", 4, &m);
	CHECK(m.status == ROUTE_OK);
	CHECK_STR(m.command, "stop");
}

static void
test_invalid_utf8(void)
{
	static const struct {
		const char *bytes;
		size_t len;
	} cases[] = {
	    {"\xff", 1},
	    {"\xff\xfe", 2},
	    {"stop\xc3", 5},             /* cut sequence after a keyword */
	    {"stop \xff", 6},            /* a reserved keyword does not save it */
	    {"\xc0\xaf", 2},             /* overlong '/' */
	    {"\xe0\x80\xaf", 3},         /* overlong '/' */
	    {"\xed\xa0\x80", 3},         /* surrogate */
	    {"\xf4\x90\x80\x80", 4},     /* beyond U+10FFFF */
	    {"\xd9\x84\xd8", 3},         /* cut "لغ" */
	    {"lang \x80\x80", 7},        /* lone continuation bytes */
	    {"\xf8\x88\x80\x80\x80", 5}, /* 5-byte form */
	    {"join\0now", 8},            /* NUL is never text (text/utf8 refuses it) */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct route_match m;
		grammar_match(shipped, cases[i].bytes, cases[i].len, &m);
		CHECK(m.status == ROUTE_UNKNOWN);
		CHECK(m.command == NULL);
	}
	struct route_match m;
	grammar_match(shipped, "join\0now", 8, &m);
	CHECK_STR(m.suggestion, ""); /* refused outright: no suggestion from bytes after a NUL */
}

/* 2 KB texts: trailing text after join, after lang, and no keyword at all. */
static void
test_long_texts(void)
{
	char text[2048 + 16];
	struct route_match m;

	memcpy(text, "join ", 5);
	memset(text + 5, 'a', 2048);
	grammar_match(shipped, text, 5 + 2048, &m);
	CHECK(m.status == ROUTE_OK);
	CHECK_STR(m.command, "join");

	memcpy(text, "lang ", 5);
	grammar_match(shipped, text, 5 + 2048, &m);
	CHECK(m.status == ROUTE_BAD_ARGS);
	CHECK_STR(m.command, "lang");

	memset(text, 'a', 2048);
	grammar_match(shipped, text, 2048, &m);
	CHECK(m.status == ROUTE_UNKNOWN && m.suggestion[0] == '\0');

	/* 1000 Persian letters (2 bytes each) after a reserved keyword */
	memcpy(text, "\xd9\x84\xd8\xba\xd9\x88 ", 7); /* "لغو " */
	for (size_t i = 7; i + 2 <= 2048; i += 2)
		memcpy(text + i, "\xd8\xa8", 2); /* ب */
	grammar_match(shipped, text, 2047, &m);
	CHECK(m.status == ROUTE_OK);
	CHECK_STR(m.command, "stop");
	CHECK_STR(m.lang, "fa");
}

/* ---- grammar files written for the test ---- */

/* Writes text to a temporary file and loads it; the file is removed again. */
static struct grammar *
load_text(const char *text, struct test_tmpfile *t, struct buf *errors)
{
	if (test_tmpfile_write(t, "gamigate-grammar", text) < 0)
		return NULL;
	struct grammar *g = grammar_load(t->path, errors);
	unlink(t->path);
	return g;
}

static const char campaign_json[] =
    "{\"comment\": \"a campaign adds its commands\",\n"
    " \"commands\": [\n"
    "  {\"name\": \"stop\", \"reserved\": true, \"keywords\": {\"en\": [\"stop\"]},\n"
    "   \"args\": \"(?<service>[a-z]+)\"},\n"
    "  {\"name\": \"spin\", \"keywords\": {\"en\": [\"spin\"], \"fa\": [\"گردونه\", \"چرخش\"]},\n"
    "   \"shortcuts\": [\"3\"], \"comment\": \"daily wheel\"},\n"
    "  {\"name\": \"win\", \"keywords\": {\"en\": [\"win\"]}},\n"
    "  {\"name\": \"checkin\", \"keywords\": {\"en\": [\"checkin\", \"check in\"], \"fa\": "
    "[\"حضور\"]}},\n"
    "  {\"name\": \"code\", \"keywords\": {\"en\": [\"code\", \"ref\"], \"fa\": [\"کد\"]},\n"
    "   \"args\": \"(?<code>[a-z0-9]{4,8})\", \"usage\": \"code_usage\"},\n"
    "  {\"name\": \"quiz\", \"keywords\": {\"en\": [\"quiz\"]}, \"args\": \"(?<answer>[1-4])?\"},\n"
    "  {\"name\": \"redeem\", \"keywords\": {\"en\": [\"redeem\"]},\n"
    "   \"args\": \"(?<item>[a-z]+)(?: (?<count>[0-9]+))?\"},\n"
    "  {\"name\": \"reg\", \"keywords\": {\"fa\": [\"ثبت\"]}},\n"
    "  {\"name\": \"join\", \"keywords\": {\"fa\": [\"ثبت نام\"]}},\n"
    "  {\"name\": \"qmark\", \"keywords\": {\"en\": [\"a.b\", \"(x)\", \"c+\"]}}\n"
    " ]}\n";

static void
test_campaign_grammar(void)
{
	static const struct grammar_case cases[] = {
	    OK("spin", "spin", "en"),
	    OK("spin now", "spin", "en"),
	    OK("گردونه", "spin", "fa"),
	    OK("چرخش", "spin", "fa"),
	    SHORT("3", "spin"),
	    OK("win", "win", "en"),
	    OK("win big", "win", "en"),
	    UNK("winner", "win"),
	    UNK("wins", "win"),
	    OK("checkin", "checkin", "en"),
	    OK("check in", "checkin", "en"),
	    OK("check in please", "checkin", "en"),
	    UNK("check", "checkin"),
	    OK("حضور", "checkin", "fa"),
	    OK_ARG("code ab12", "code", "en", "code", "ab12"),
	    OK_ARG("ref k7m2p9", "code", "en", "code", "k7m2p9"),
	    OK_ARG("کد ab12cd", "code", "fa", "code", "ab12cd"),
	    BAD("code", "code", "en"),
	    BAD("code ab", "code", "en"),
	    BAD("code ab12cd34x", "code", "en"),
	    BAD("code !!!!", "code", "en"),
	    OK("quiz", "quiz", "en"), /* the pattern matches the empty rest */
	    OK_ARG("quiz 2", "quiz", "en", "answer", "2"),
	    BAD("quiz 5", "quiz", "en"),
	    OK_ARG("redeem pizza", "redeem", "en", "item", "pizza"),
	    BAD("redeem", "redeem", "en"),
	    OK("ثبت", "reg", "fa"),
	    OK("ثبت کد", "reg", "fa"),
	    OK("ثبت نام", "join", "fa"), /* longest keyword wins */
	    OK("ثبت نام کن", "join", "fa"),
	    OK("a.b", "qmark", "en"), /* keywords are literal text */
	    UNK("axb", "a.b"),
	    OK("(x)", "qmark", "en"),
	    OK("c+", "qmark", "en"),
	    UNK("cc", "c+"), /* two code points, one edit */
	};
	struct buf errors = BUF_INIT;
	struct test_tmpfile t;
	struct grammar *g = load_text(campaign_json, &t, &errors);
	CHECK(g != NULL);
	if (g == NULL) {
		fprintf(stderr, "%s", buf_cstr(&errors));
		buf_free(&errors);
		return;
	}
	int bad = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* check_case takes stop/start/help for the reserved ones */
		bad += check_case(g, &cases[i]);
	}
	CHECK(bad == 0);
	CHECK_STR(grammar_usage(g, "code"), "code_usage");

	struct route_match m;
	grammar_match(g, "redeem pizza 2", strlen("redeem pizza 2"), &m);
	CHECK(m.status == ROUTE_OK && m.nargs == 2);
	CHECK_STR(m.args[0].name, "item");
	CHECK_STR(m.args[0].value, "pizza");
	CHECK_STR(m.args[1].name, "count");
	CHECK_STR(m.args[1].value, "2");

	/* A reserved command with args: filled when the rest fits, never BAD_ARGS. */
	grammar_match(g, "stop spin", 9, &m);
	CHECK(m.status == ROUTE_OK && m.reserved && m.nargs == 1);
	CHECK_STR(m.args[0].value, "spin");
	grammar_match(g, "stop 123 now", 12, &m);
	CHECK(m.status == ROUTE_OK && m.reserved && m.nargs == 0);
	grammar_match(g, "stop", 4, &m);
	CHECK(m.status == ROUTE_OK && m.nargs == 0);

	/* A captured value longer than route_arg.value holds is bad arguments. */
	char text[400];
	memcpy(text, "redeem ", 7);
	memset(text + 7, 'z', 200);
	grammar_match(g, text, 207, &m);
	CHECK(m.status == ROUTE_BAD_ARGS && m.nargs == 0);
	memset(text + 7, 'z', 160);
	grammar_match(g, text, 167, &m);
	CHECK(m.status == ROUTE_OK && m.nargs == 1 && strlen(m.args[0].value) == 160);

	grammar_free(g);
	buf_free(&errors);
}

/* A campaign's additions over the shipped grammar file. */
static struct grammar *
load_with(const char *extra, struct buf *errors)
{
	buf_reset(errors);
	return grammar_load_with(GAMIGATE_GRAMMAR_JSON, extra, "campaign x: grammar", errors);
}

static void
test_campaign_additions(void)
{
	struct buf errors = BUF_INIT;
	struct route_match m;

	/* Keywords and a shortcut added to a command of the file, and a new command. */
	struct grammar *g = load_with(
	    "{\"commands\": [{\"name\": \"spin\", \"keywords\": {\"fa\": [\"عیدی\"], \"en\": "
	    "[\"eidi\"]}, \"shortcuts\": [\"77\"]},"
	    " {\"name\": \"lucky\", \"keywords\": {\"en\": [\"lucky\"]}}]}",
	    &errors);
	CHECK(g != NULL);
	if (g == NULL) {
		fprintf(stderr, "%s", buf_cstr(&errors));
	} else {
		grammar_match(g, "eidi", 4, &m);
		CHECK(m.status == ROUTE_OK && strcmp(m.command, "spin") == 0 &&
		      strcmp(m.lang, "en") == 0);
		grammar_match(g, "عیدی", strlen("عیدی"), &m);
		CHECK(m.status == ROUTE_OK && strcmp(m.command, "spin") == 0 &&
		      strcmp(m.lang, "fa") == 0);
		grammar_match(g, "77", 2, &m);
		CHECK(m.status == ROUTE_OK && strcmp(m.command, "spin") == 0);
		grammar_match(g, "spin", 4, &m); /* the file's keywords still work */
		CHECK(m.status == ROUTE_OK && strcmp(m.command, "spin") == 0);
		grammar_match(g, "lucky", 5, &m);
		CHECK(m.status == ROUTE_OK && strcmp(m.command, "lucky") == 0);
		CHECK(grammar_count(g) > 1);
	}
	grammar_free(g);

	/* What a campaign may not do: each problem named, nothing compiled. */
	static const struct {
		const char *extra;
		const char *want;
	} bad[] = {
	    {"{\"commands\": [{\"name\": \"stop\", \"keywords\": {\"en\": [\"halt\"]}}]}",
	     "campaign x: grammar: commands[0]: \"stop\" is a reserved command"},
	    {"{\"commands\": [{\"name\": \"spin\", \"args\": \"(?<x>.*)\"}]}",
	     "commands[0].args: a campaign can only add keywords and shortcuts"},
	    {"{\"commands\": [{\"keywords\": {}}]}",
	     "commands[0]: expected an object with a \"name\""},
	    {"{\"verbs\": []}", "unknown field \"verbs\""},
	    {"{\"commands\": {}}", "commands: expected a list"},
	    {"[1]", "expected an object"},
	    {"{\"commands\": [", "campaign x: grammar: not valid JSON"},
	    {"{\"commands\": [{\"name\": \"spin\", \"keywords\": {\"en\": [\"help\"]}}]}",
	     "with campaign x: grammar: "}, /* a keyword the file gives to help already */
	    {"{\"commands\": [{\"name\": \"spin\", \"keywords\": {\"en\": \"eidi\"}}]}",
	     "commands[0].keywords.en: expected a list"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		g = load_with(bad[i].extra, &errors);
		CHECK(g == NULL);
		if (strstr(buf_cstr(&errors), bad[i].want) == NULL)
			fprintf(stderr, "  case %zu: wanted \"%s\" in:\n%s", i, bad[i].want,
			        buf_cstr(&errors));
		CHECK(strstr(buf_cstr(&errors), bad[i].want) != NULL);
		grammar_free(g);
	}
	buf_free(&errors);
}

/* Loads text expecting failure; every line must start with the file's path and the
 * message must contain each of the wanted fragments. */
static void
expect_errors(const char *text, const char *const *wanted, size_t nwanted)
{
	struct buf errors = BUF_INIT;
	struct test_tmpfile t;
	struct grammar *g = load_text(text, &t, &errors);
	const char *e = buf_cstr(&errors);

	CHECK(g == NULL);
	grammar_free(g);
	CHECK(errors.len > 0 && e[errors.len - 1] == '\n');
	for (const char *line = e; *line != '\0';) {
		const char *nl = strchr(line, '\n');
		if (strncmp(line, t.path, strlen(t.path)) != 0 || line[strlen(t.path)] != ':') {
			fprintf(stderr, "line does not name the file: %.*s\n",
			        (int)(nl ? nl - line : (long)strlen(line)), line);
			CHECK(0);
		}
		line = nl ? nl + 1 : line + strlen(line);
	}
	for (size_t i = 0; i < nwanted; i++) {
		struct buf want = BUF_INIT;
		if (strncmp(wanted[i], "@:", 2) == 0) /* "@" stands for the path */
			buf_printf(&want, "%s%s", t.path, wanted[i] + 1);
		else
			buf_puts(&want, wanted[i]);
		CHECK_CONTAINS(e, buf_cstr(&want));
		buf_free(&want);
	}
	buf_free(&errors);
}

#define EXPECT(text, ...)                                                                          \
	do {                                                                                       \
		static const char *const w_[] = {__VA_ARGS__};                                     \
		expect_errors(text, w_, sizeof(w_) / sizeof(w_[0]));                               \
	} while (0)

#define STOP_CMD "{\"name\": \"stop\", \"reserved\": true, \"keywords\": {\"en\": [\"stop\"]}}"

static void
test_bad_files(void)
{
	/* JSON syntax: file:line:column */
	EXPECT("{\"commands\": [\n  {\"name\": \"stop\",, \"keywords\": {}}\n]}\n",
	       "@:2:19: JSON syntax error: ");
	EXPECT("{\"commands\": [\n" STOP_CMD "\n", "@:3:0: JSON syntax error: ");
	EXPECT("{\"commands\": [" STOP_CMD "], \"commands\": []}",
	       "JSON syntax error: duplicate object key");
	EXPECT("", "@:1:0: JSON syntax error");
	/* the top level */
	EXPECT("[1, 2]",
	       "@: expected an object {\"commands\": [...]} at the top level, got an array");
	EXPECT("{\"comment\": \"x\"}", "@: \"commands\" is missing at the top level");
	EXPECT("{\"commands\": []}", "@: commands: expected a list of 1 to 64 commands");
	EXPECT("{\"commands\": {}}",
	       "commands: expected a list of 1 to 64 commands, got an object");
	EXPECT("{\"comands\": [" STOP_CMD "]}",
	       "@: top level: unknown field \"comands\"; did you mean \"commands\"?");
	/* missing and ill-typed fields, named by their JSON path */
	EXPECT("{\"commands\": [" STOP_CMD ", {\"keywords\": {\"en\": [\"join\"]}}]}",
	       "@: commands[1]: \"name\" is missing");
	EXPECT("{\"commands\": [{\"name\": 7, \"keywords\": {\"en\": [\"x\"]}}]}",
	       "@: commands[0].name: expected a string, got a number");
	EXPECT("{\"commands\": [{\"name\": \"Spin!\", \"keywords\": {\"en\": [\"spin\"]}}]}",
	       "commands[0].name: \"Spin!\" is not a command name");
	EXPECT("{\"commands\": [{\"name\": \"stop\", \"keywords\": [\"stop\"]}]}",
	       "@: commands[0].keywords: expected an object of language -> list of keywords",
	       "got an array");
	EXPECT("{\"commands\": [{\"name\": \"stop\"}]}", "@: commands[0]: \"keywords\" is missing");
	EXPECT("{\"commands\": [" STOP_CMD ", {\"name\": \"join\", \"keywords\": {\"fa\": "
	       "[\"عضویت\", 7]}}]}",
	       "@: commands[1].keywords.fa[1]: expected a string, got a number");
	EXPECT("{\"commands\": [{\"name\": \"join\", \"keywords\": {\"en\": \"join\"}}]}",
	       "commands[0].keywords.en: expected a list of keywords", "got a string");
	EXPECT("{\"commands\": [{\"name\": \"join\", \"keywords\": {\"FA\": [\"x\"]}}]}",
	       "commands[0].keywords: \"FA\" is not a language code");
	EXPECT("{\"commands\": [{\"name\": \"join\", \"keywords\": {\"en\": []}}]}",
	       "commands[0].keywords: no keywords");
	EXPECT("{\"commands\": [{\"name\": \"stop\", \"reserved\": \"yes\", \"keywords\": {\"en\": "
	       "[\"stop\"]}}]}",
	       "@: commands[0].reserved: expected true or false, got a string");
	EXPECT("{\"commands\": [{\"name\": \"stop\", \"keywords\": {\"en\": [\"stop\"]}, "
	       "\"shortcuts\": [11]}]}",
	       "@: commands[0].shortcuts[0]: expected a string of 1 to 10 ASCII digits, got a "
	       "number");
	EXPECT("{\"commands\": [{\"name\": \"stop\", \"keywords\": {\"en\": [\"stop\"]}, "
	       "\"shortcuts\": [\"۱۱\"]}]}",
	       "commands[0].shortcuts[0]: expected a string of 1 to 10 ASCII digits");
	/* keywords that normalised text can never contain */
	EXPECT("{\"commands\": [{\"name\": \"help\", \"keywords\": {\"fa\": [\"كمك\"]}}]}",
	       "commands[0].keywords.fa[0]: keyword \"كمك\" contains U+0643 (Arabic kaf)");
	EXPECT("{\"commands\": [{\"name\": \"stop\", \"keywords\": {\"fa\": [\"لغو\xe2\x80\x8c"
	       "کن\"]}}]}",
	       "commands[0].keywords.fa[0]: keyword", "U+200C (a zero-width non-joiner)",
	       "write a space");
	EXPECT("{\"commands\": [{\"name\": \"x\", \"keywords\": {\"en\": [\"a  b\", \" a\", \"\", "
	       "\"123\"]}}]}",
	       "keywords.en[0]: keyword \"a  b\" has two spaces in a row",
	       "keywords.en[1]: keyword \" a\" starts or ends with a space",
	       "keywords.en[2]: keyword \"\" is empty",
	       "keywords.en[3]: keyword \"123\" is a number; put numbers in \"shortcuts\"");
	EXPECT("{\"commands\": [{\"name\": \"x\", \"keywords\": {\"en\": "
	       "[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]}}]}",
	       "keywords.en[0]: keyword", "is longer than 64 bytes");
	/* args patterns: offset and PCRE2's message */
	EXPECT("{\"commands\": [" STOP_CMD ", {\"name\": \"lang\", \"keywords\": {\"en\": "
	       "[\"lang\"]}, \"args\": \"(?<lang>fa|en\"}]}",
	       "@: commands[1].args at offset 13: missing closing parenthesis");
	EXPECT("{\"commands\": [{\"name\": \"x\", \"keywords\": {\"en\": [\"x\"]}, \"args\": "
	       "\"(?<a>1)(?<b>2)(?<c>3)(?<d>4)(?<e>5)(?<f>6)(?<g>7)(?<h>8)(?<i>9)\"}]}",
	       "@: commands[0].args: 9 named groups; at most 8");
	EXPECT("{\"commands\": [{\"name\": \"x\", \"keywords\": {\"en\": [\"x\"]}, \"args\": 5}]}",
	       "@: commands[0].args: expected a PCRE2 pattern", "got a number");
	/* conflicts across commands */
	EXPECT("{\"commands\": [" STOP_CMD ", {\"name\": \"halt\", \"keywords\": {\"en\": "
	       "[\"pause\", \"STOP\"]}}]}",
	       "@: commands[1].keywords.en[1]: keyword \"STOP\" is already a keyword of "
	       "commands[0] (stop)");
	EXPECT("{\"commands\": [" STOP_CMD ", {\"name\": \"stop\", \"keywords\": {\"en\": "
	       "[\"halt\"]}}]}",
	       "@: commands[1].name: \"stop\" is already the name of commands[0]");
	EXPECT("{\"commands\": [" STOP_CMD ", {\"name\": \"menu\", \"keywords\": {\"en\": "
	       "[\"stop all\"]}}]}",
	       "@: commands[1].keywords.en[0]: keyword \"stop all\" can never match: it starts "
	       "with \"stop\", a keyword of the reserved command stop");
	EXPECT("{\"commands\": [{\"name\": \"a\", \"keywords\": {\"en\": [\"a\"]}, \"shortcuts\": "
	       "[\"1\"]}, {\"name\": \"b\", \"keywords\": {\"en\": [\"b\"]}, \"shortcuts\": "
	       "[\"1\"]}]}",
	       "@: commands[1].shortcuts[0]: \"1\" is already a shortcut of commands[0] (a)");
	EXPECT("{\"commands\": [{\"name\": \"a\", \"keywords\": {\"en\": [\"ab\"], \"fa\": "
	       "[\"AB\"]}}]}",
	       "@: commands[0].keywords.fa[0]: keyword \"AB\" is listed twice in this command");
	/* unknown fields, with a hint */
	EXPECT("{\"commands\": [{\"name\": \"stop\", \"keyword\": {\"en\": [\"stop\"]}}]}",
	       "@: commands[0]: unknown field \"keyword\"; did you mean \"keywords\"?",
	       "@: commands[0]: \"keywords\" is missing");
	EXPECT("{\"commands\": [{\"name\": \"stop\", \"keywords\": {\"en\": [\"stop\"]}, "
	       "\"priority\": 1}]}",
	       "@: commands[0]: unknown field \"priority\" (fields: name, reserved, keywords");
	/* every problem is reported, not only the first */
	EXPECT("{\"commands\": [{\"keywords\": {\"en\": [7]}}, {\"name\": \"b\", \"keywords\": "
	       "{\"en\": [\"b\"]}, \"args\": \"(\"}]}",
	       "@: commands[0]: \"name\" is missing",
	       "@: commands[0].keywords.en[0]: expected a "
	       "string",
	       "@: commands[1].args at offset 1: missing closing parenthesis");

	/* a file that is not there */
	struct buf errors = BUF_INIT;
	CHECK(grammar_load("/nonexistent/grammar.json", &errors) == NULL);
	CHECK_CONTAINS(buf_cstr(&errors),
	               "/nonexistent/grammar.json: cannot open the grammar file");
	buf_free(&errors);
}

/* Loading and freeing many times; under ASan/LeakSanitizer any leak fails the run. */
static void
test_load_free_cycles(void)
{
	for (int i = 0; i < 20; i++) {
		struct buf errors = BUF_INIT;
		struct grammar *g = grammar_load(GAMIGATE_GRAMMAR_JSON, &errors);
		CHECK(g != NULL && errors.len == 0);
		struct route_match m;
		grammar_match(g, "lang fa", 7, &m);
		CHECK(m.status == ROUTE_OK);
		grammar_free(g);
		buf_free(&errors);
	}
	grammar_free(NULL);
}

static void *
match_worker(void *arg)
{
	long bad = 0;
	(void)arg;
	for (int round = 0; round < 50; round++) {
		for (size_t i = 0; i < N_SHIPPED_CASES; i++) {
			struct route_match m;
			const struct grammar_case *c = &shipped_cases[i];
			grammar_match(shipped, c->text, strlen(c->text), &m);
			bad += m.status != c->status;
		}
	}
	return (void *)bad;
}

/* One grammar, several threads matching at once (run under TSan too). */
static void
test_threads(void)
{
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		CHECK(pthread_create(&th[i], NULL, match_worker, NULL) == 0);
	for (int i = 0; i < 4; i++) {
		void *bad = NULL;
		pthread_join(th[i], &bad);
		CHECK(bad == NULL);
	}
}

int
main(void)
{
	struct buf errors = BUF_INIT;
	shipped = grammar_load(GAMIGATE_GRAMMAR_JSON, &errors);
	if (shipped == NULL) {
		fprintf(stderr, "cannot load %s:\n%s", GAMIGATE_GRAMMAR_JSON, buf_cstr(&errors));
		buf_free(&errors);
		return 1;
	}
	buf_free(&errors);
	RUN(test_shipped_table);
	RUN(test_suggestion_commands);
	RUN(test_accessors);
	RUN(test_match_fills_everything);
	RUN(test_invalid_utf8);
	RUN(test_long_texts);
	RUN(test_campaign_grammar);
	RUN(test_bad_files);
	RUN(test_campaign_additions);
	RUN(test_load_free_cycles);
	RUN(test_threads);
	grammar_free(shipped);
	return check_summary();
}
