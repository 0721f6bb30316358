/*
 * Unit: reply templates — the shipped templates pass the lint against the commands'
 * spec; each kind of mistake is reported with the file and the key; rendering fills
 * placeholders and keeps literal braces.
 */
#include "check.h"
#include "cmd/command.h"
#include "core/buf.h"
#include "text/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct template_spec spec[] = {
    {"greet", "name", "name=Mohammad-Hossein"},
    {"bye", "", ""},
};

/* Makes dir/<lang>/sms.json with the given text. */
static void
write_lang(const char *dir, const char *lang, const char *json)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, lang);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%s/sms.json", dir, lang);
	FILE *fp = fopen(path, "w");
	fputs(json, fp);
	fclose(fp);
}

static void
remove_dir(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static struct templates *
load(const char *en, const char *fa, unsigned max_segments, struct buf *errors, char *dir,
     size_t dirsz)
{
	snprintf(dir, dirsz, "/tmp/gamigate-tpl-XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	if (en != NULL)
		write_lang(dir, "en", en);
	if (fa != NULL)
		write_lang(dir, "fa", fa);
	return templates_load(dir, spec, 2, max_segments, errors);
}

static void
test_shipped_templates_pass_the_lint(void)
{
	struct buf errors = BUF_INIT;
	struct templates *t = templates_load(GAMIGATE_TEMPLATES_DIR, command_templates,
	                                     command_templates_count, 3, &errors);
	CHECK(t != NULL);
	CHECK_STR(buf_cstr(&errors), "");
	CHECK(templates_has_lang(t, "fa"));
	CHECK(templates_has_lang(t, "en"));
	CHECK(!templates_has_lang(t, "de"));
	templates_free(t);
	buf_free(&errors);
}

static void
test_render_fills_placeholders_and_literal_braces(void)
{
	struct buf errors = BUF_INIT, out = BUF_INIT;
	char dir[64];
	struct templates *t = load("{\"greet\": \"Hi {name}, {{not}} {name}!\", \"bye\": \"Bye\"}",
	                           "{\"greet\": \"سلام {name}\", \"bye\": \"خدانگهدار\"}", 1,
	                           &errors, dir, sizeof(dir));
	CHECK(t != NULL);
	struct template_var v[] = {{"name", "Sara"}};
	CHECK(templates_render(t, "en", "greet", v, 1, &out) == 0);
	CHECK_STR(buf_cstr(&out), "Hi Sara, {not} Sara!");
	buf_reset(&out);
	CHECK(templates_render(t, "fa", "greet", v, 1, &out) == 0);
	CHECK_STR(buf_cstr(&out), "سلام Sara");
	buf_reset(&out);
	CHECK(templates_render(t, "fa", "greet", NULL, 0, &out) == 0); /* no value: empty */
	CHECK_STR(buf_cstr(&out), "سلام ");
	CHECK(templates_render(t, "de", "greet", v, 1, &out) == -1);
	CHECK(templates_render(t, "en", "nope", v, 1, &out) == -1);
	CHECK(templates_has_key(t, "en", "bye"));
	CHECK(!templates_has_key(t, "en", "nope"));
	templates_free(t);
	remove_dir(dir);
	buf_free(&out);
	buf_free(&errors);
}

static void
test_each_mistake_names_file_and_key(void)
{
	static const struct {
		const char *en, *fa;
		unsigned max_segments;
		const char *want[3];
	} cases[] = {
	    {"{\"greet\": \"Hi {name}\"}",
	     "{\"greet\": \"x\", \"bye\": \"y\"}",
	     1,
	     {"/en/sms.json: \"bye\": missing translation"}},
	    {"{\"greet\": \"Hi {nmae}\", \"bye\": \"b\"}",
	     "{\"greet\": \"x\", \"bye\": \"y\"}",
	     1,
	     {"/en/sms.json: \"greet\": unknown placeholder {nmae}; allowed: name"}},
	    {"{\"greet\": \"Hi\", \"bye\": \"b {name}\"}",
	     "{\"greet\": \"x\", \"bye\": \"y\"}",
	     1,
	     {"\"bye\": unknown placeholder {name}; allowed: none"}},
	    {"{\"greet\": \"Hi {name\", \"bye\": \"b\"}",
	     "{\"greet\": \"x\", \"bye\": \"y\"}",
	     1,
	     {"\"greet\": a '{' is never closed"}},
	    {"{\"greet\": \"Hi\", \"bye\": \"b\", \"hello\": \"h\"}",
	     "{\"greet\": \"x\", \"bye\": \"y\"}",
	     1,
	     {"\"hello\": unknown key"}},
	    {"{\"greet\": 5, \"bye\": \"b\"}",
	     "{\"greet\": \"x\", \"bye\": \"y\"}",
	     1,
	     {"\"greet\": must be a string"}},
	    {"{\"greet\": \"Hi\", \"bye\": ",
	     "{\"greet\": \"x\", \"bye\": \"y\"}",
	     1,
	     {"/en/sms.json:1:"}},
	    {"[1]", "{\"greet\": \"x\", \"bye\": \"y\"}", 1, {"must be a JSON object"}},
	    {"{\"greet\": \"a\", \"greet\": \"b\", \"bye\": \"c\"}",
	     "{\"greet\": \"x\", \"bye\": \"y\"}",
	     1,
	     {"duplicate"}},
	    /* 60 Persian letters plus a 15-letter name: over one UCS-2 segment (70) */
	    {"{\"greet\": \"Hi {name}\", \"bye\": \"b\"}",
	     "{\"greet\": \"سلامسلامسلامسلامسلامسلامسلامسلامسلامسلامسلامسلامسلامسلامسلام {name}\","
	     " \"bye\": \"y\"}",
	     1,
	     {"/fa/sms.json: \"greet\": 2 SMS segments (ucs2", "over the limit of 1"}},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf errors = BUF_INIT;
		char dir[64];
		struct templates *t = load(cases[i].en, cases[i].fa, cases[i].max_segments, &errors,
		                           dir, sizeof(dir));
		if (t != NULL)
			fprintf(stderr, "  case %zu loaded\n", i);
		CHECK(t == NULL);
		CHECK_CONTAINS(buf_cstr(&errors), dir);
		for (size_t j = 0; j < 3 && cases[i].want[j] != NULL; j++)
			CHECK_CONTAINS(buf_cstr(&errors), cases[i].want[j]);
		templates_free(t);
		remove_dir(dir);
		buf_free(&errors);
	}
}

static void
test_no_languages_and_missing_folder(void)
{
	struct buf errors = BUF_INIT;
	char dir[64];
	CHECK(load(NULL, NULL, 1, &errors, dir, sizeof(dir)) == NULL);
	CHECK_CONTAINS(buf_cstr(&errors), "no language folders");
	remove_dir(dir);
	buf_reset(&errors);
	CHECK(templates_load("/nonexistent/templates", spec, 2, 1, &errors) == NULL);
	CHECK_CONTAINS(buf_cstr(&errors), "/nonexistent/templates: cannot open");
	buf_free(&errors);
}

int
main(void)
{
	RUN(test_shipped_templates_pass_the_lint);
	RUN(test_render_fills_placeholders_and_literal_braces);
	RUN(test_each_mistake_names_file_and_key);
	RUN(test_no_languages_and_missing_folder);
	return check_summary();
}
