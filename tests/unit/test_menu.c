/*
 * Unit: USSD menus (src/game/menu.c, src/game/campaign_ussd.c) — the "ussd" section
 * checked with JSON paths, screens rendered with numbered options, pages with a "98"
 * line under the limit (Persian counted as UCS-2), and walks: options, inputs, back,
 * home, more, invalid answers and actions with the pages of their reply.
 */
#include "check.h"
#include "game/campaign.h"
#include "game/menu.h"
#include "text/sms.h"

#include <stdio.h>
#include <string.h>

static const char *const langs[] = {"fa", "en"};
static const struct menu_limits lim = {.max_chars = 182, .max_ucs2 = 80};
static const struct menu_words words = {.more = "More", .back = "Back", .invalid = "Invalid."};

#define HEAD                                                                                       \
	"{\"id\": \"t-menu\", \"name\": {\"fa\": \"ت\", \"en\": \"T\"}, \"starts\": "             \
	"\"2026-03-21\", \"ends\": \"2026-04-02\", \"short_codes\": [\"3000\"], "

static const char good[] =
    HEAD "\"ussd\": {\"service_codes\": [\"*3000#\", \"*3000*1#\"], \"screens\": ["
         "{\"id\": \"main\", \"text\": {\"fa\": \"منو\", \"en\": \"Menu\"}, \"options\": ["
         "{\"label\": {\"fa\": \"گردونه\", \"en\": \"Spin\"}, \"action\": \"spin\"},"
         "{\"label\": {\"fa\": \"کد\", \"en\": \"Code\"}, \"screen\": \"ref\"},"
         "{\"label\": {\"fa\": \"زبان\", \"en\": \"Language\"}, \"screen\": \"lang\"}]},"
         "{\"id\": \"ref\", \"text\": {\"fa\": \"کد را بزنید\", \"en\": \"Type the code\"},"
         " \"input\": {\"action\": \"ref\", \"arg\": \"code\", \"chars\": \"digits\","
         " \"min_length\": 4, \"max_length\": 6, \"error\": {\"fa\": \"۴ تا ۶ رقم\","
         " \"en\": \"4 to 6 digits\"}}},"
         "{\"id\": \"lang\", \"text\": {\"fa\": \"زبان\", \"en\": \"Language\"}, \"options\": ["
         "{\"label\": {\"fa\": \"فارسی\", \"en\": \"Farsi\"}, \"action\": \"lang\","
         " \"args\": {\"lang\": \"fa\"}},"
         "{\"label\": {\"fa\": \"انگلیسی\", \"en\": \"English\"}, \"action\": \"lang\","
         " \"args\": {\"lang\": \"en\"}}]}]}}";

static struct campaign *
parse(const char *json, struct buf *errors)
{
	return campaign_parse(json, strlen(json), "t.json", "Asia/Tehran", langs, 2, errors);
}

static void
walk(const struct menu *m, const char *lang, const char *text, struct menu_walk *w)
{
	struct ussd_text t;
	const char *why = NULL;
	CHECK(ussd_text_parse(text, strlen(text), &t, &why) == 0);
	menu_walk(m, lang, &t, &lim, &words, w);
}

static void
test_section_is_parsed(void)
{
	struct buf errors = BUF_INIT;
	struct campaign *c = parse(good, &errors);
	CHECK(c != NULL);
	CHECK_STR(buf_cstr(&errors), "");
	if (c == NULL)
		return;
	CHECK(c->ussd != NULL);
	CHECK(c->ussd->nscreens == 3);
	CHECK(menu_serves(c->ussd, "*3000#"));
	CHECK(menu_serves(c->ussd, "*3000*1#"));
	CHECK(!menu_serves(c->ussd, "*3001#"));
	CHECK(c->ussd->screens[0].options[1].screen == 1);
	CHECK(c->ussd->screens[0].options[0].screen == -1);
	CHECK_STR(c->ussd->screens[2].options[1].action.arg_value[0], "en");
	CHECK(c->ussd->screens[1].is_input);
	campaign_free(c);
	buf_free(&errors);
}

static void
test_mistakes_are_reported_with_paths(void)
{
	static const struct {
		const char *ussd, *want;
	} cases[] = {
	    {"[]", "t.json: $.ussd: must be an object"},
	    {"{\"screens\": []}", "$.ussd.service_codes: "},
	    {"{\"service_codes\": [\"3000\"], \"screens\": [{\"id\": \"m\", \"text\": {\"fa\": "
	     "\"x\", \"en\": \"x\"}, \"options\": [{\"label\": {\"fa\": \"x\", \"en\": \"x\"}, "
	     "\"action\": \"spin\"}]}]}",
	     "$.ussd.service_codes[0]: must be a USSD code"},
	    {"{\"service_codes\": [\"*1#\"], \"screens\": [{\"id\": \"m\", \"text\": {\"fa\": "
	     "\"x\", \"en\": \"x\"}, \"options\": [{\"label\": {\"fa\": \"x\", \"en\": \"x\"}, "
	     "\"action\": \"spn\"}]}]}",
	     "$.ussd.screens[0].options[0].action: \"spn\" is not a command a menu can run; "},
	    {"{\"service_codes\": [\"*1#\"], \"screens\": [{\"id\": \"main\", \"text\": {\"fa\": "
	     "\"x\", \"en\": \"x\"}, \"options\": [{\"label\": {\"fa\": \"x\", \"en\": \"x\"}, "
	     "\"screen\": \"mian\"}]}]}",
	     "$.ussd.screens[0].options[0].screen: names no screen of the menu (got \"mian\"); "
	     "did you mean \"main\"?"},
	    {"{\"service_codes\": [\"*1#\"], \"screens\": [{\"id\": \"m\", \"text\": {\"fa\": "
	     "\"x\"}, \"options\": [{\"label\": {\"fa\": \"x\", \"en\": \"x\"}, \"action\": "
	     "\"spin\", \"screen\": \"m\"}]}]}",
	     "$.ussd.screens[0].text.en: missing"},
	    {"{\"service_codes\": [\"*1#\"], \"screens\": [{\"id\": \"m\", \"text\": {\"fa\": "
	     "\"x\", \"en\": \"x\"}}]}",
	     "$.ussd.screens[0]: needs either \"options\""},
	    {"{\"service_codes\": [\"*1#\"], \"screens\": [{\"id\": \"m\", \"text\": {\"fa\": "
	     "\"x\", \"en\": \"x\"}, \"input\": {\"action\": \"ref\", \"arg\": \"code\", "
	     "\"min_length\": 9, \"max_length\": 4}}]}",
	     "$.ussd.screens[0].input.min_length: is more than max_length"},
	    {"{\"service_codes\": [\"*1#\"], \"screenz\": []}", "$.ussd.screenz"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char json[2048];
		struct buf errors = BUF_INIT;
		snprintf(json, sizeof(json), HEAD "\"ussd\": %s}", cases[i].ussd);
		struct campaign *c = parse(json, &errors);
		CHECK(c == NULL);
		CHECK_CONTAINS(buf_cstr(&errors), cases[i].want);
		campaign_free(c);
		buf_free(&errors);
	}
}

static void
test_screens_render_with_numbers_and_back(void)
{
	struct buf errors = BUF_INIT, out = BUF_INIT;
	struct campaign *c = parse(good, &errors);
	if (c == NULL)
		return;
	CHECK(menu_render(c->ussd, 0, "en", 0, 0, &lim, &words, &out) == 1);
	CHECK_STR(buf_cstr(&out), "Menu\n1. Spin\n2. Code\n3. Language");
	buf_reset(&out);
	menu_render(c->ussd, 2, "fa", 0, 1, &lim, &words, &out);
	CHECK_STR(buf_cstr(&out), "Invalid.\nزبان\n1. فارسی\n2. انگلیسی\n0. Back");
	buf_reset(&out);
	/* An input screen's own error line. */
	menu_render(c->ussd, 1, "en", 0, 1, &lim, &words, &out);
	CHECK_STR(buf_cstr(&out), "4 to 6 digits\nType the code\n0. Back");
	campaign_free(c);
	buf_free(&errors);
	buf_free(&out);
}

static void
test_long_texts_are_paged_not_cut(void)
{
	struct buf all = BUF_INIT, out = BUF_INIT;
	/* 60 Persian words: far more than one UCS-2 screen of 80 units. */
	for (int i = 0; i < 60; i++)
		buf_printf(&all, "%sکلمه%d", i ? " " : "", i);
	int last = 0;
	unsigned pages = menu_paginate(buf_cstr(&all), 0, &lim, &words, &out, &last);
	CHECK(pages > 5);
	CHECK(!last);
	struct buf joined = BUF_INIT;
	for (unsigned p = 0; p < pages; p++) {
		struct sms_info info;
		buf_reset(&out);
		menu_paginate(buf_cstr(&all), p, &lim, &words, &out, &last);
		sms_measure(buf_cstr(&out), &info);
		CHECK(info.encoding == SMS_UCS2);
		CHECK(info.units <= lim.max_ucs2);
		CHECK(last == (p + 1 == pages));
		const char *text = buf_cstr(&out);
		const char *more = strstr(text, "\n98. More");
		CHECK((more != NULL) == (p + 1 < pages));
		buf_printf(&joined, "%s%.*s", p ? " " : "",
		           (int)(more != NULL ? (size_t)(more - text) : strlen(text)), text);
	}
	/* Every word is there, in order: nothing was cut. */
	CHECK_STR(buf_cstr(&joined), buf_cstr(&all));
	/* A page past the end shows the last one. */
	buf_reset(&out);
	menu_paginate(buf_cstr(&all), 999, &lim, &words, &out, &last);
	CHECK(last);
	/* GSM-7 text gets the 182-character limit; a short one is one page. */
	buf_reset(&out);
	CHECK(menu_paginate("Done.", 0, &lim, &words, &out, &last) == 1);
	CHECK(last);
	CHECK_STR(buf_cstr(&out), "Done.");
	buf_reset(&all);
	for (int i = 0; i < 100; i++)
		buf_printf(&all, "%sword%d", i ? " " : "", i);
	pages = menu_paginate(buf_cstr(&all), 0, &lim, &words, NULL, &last);
	CHECK(pages >= 4 && pages <= 6);
	/* One word longer than a screen is cut between characters, not lost. */
	char word[400];
	memset(word, 'x', sizeof(word) - 1);
	word[sizeof(word) - 1] = '\0';
	CHECK(menu_paginate(word, 0, &lim, &words, NULL, &last) == 3);
	buf_free(&all);
	buf_free(&out);
	buf_free(&joined);
}

static void
test_walks(void)
{
	struct buf errors = BUF_INIT;
	struct campaign *c = parse(good, &errors);
	struct menu_walk w;
	if (c == NULL)
		return;
	walk(c->ussd, "en", "", &w);
	CHECK(w.kind == MENU_SCREEN && w.screen == 0 && !w.error);
	walk(c->ussd, "en", "1", &w);
	CHECK(w.kind == MENU_ACTION);
	CHECK_STR(w.action->command, "spin");
	CHECK(w.action_part == 1);
	walk(c->ussd, "en", "3", &w);
	CHECK(w.kind == MENU_SCREEN && w.screen == 2);
	walk(c->ussd, "en", "3*2", &w);
	CHECK(w.kind == MENU_ACTION);
	CHECK_STR(w.action->command, "lang");
	CHECK_STR(w.action->arg_value[0], "en");
	/* Invalid answers repeat the screen with the error; the next answer clears it. */
	walk(c->ussd, "en", "7", &w);
	CHECK(w.kind == MENU_SCREEN && w.screen == 0 && w.error);
	walk(c->ussd, "en", "x", &w);
	CHECK(w.error);
	walk(c->ussd, "en", "7*", &w);
	CHECK(w.error && w.screen == 0);
	walk(c->ussd, "en", "7*3", &w);
	CHECK(!w.error && w.screen == 2);
	/* Back and home. */
	walk(c->ussd, "en", "3*0", &w);
	CHECK(w.kind == MENU_SCREEN && w.screen == 0);
	walk(c->ussd, "en", "2*00", &w);
	CHECK(w.kind == MENU_SCREEN && w.screen == 0);
	walk(c->ussd, "en", "0*0*00", &w);
	CHECK(w.kind == MENU_SCREEN && w.screen == 0 && !w.error);
	/* Input validation. */
	walk(c->ussd, "en", "2*12", &w);
	CHECK(w.kind == MENU_SCREEN && w.screen == 1 && w.error);
	walk(c->ussd, "en", "2*12ab", &w);
	CHECK(w.error);
	walk(c->ussd, "en", "2*1234567", &w);
	CHECK(w.error);
	walk(c->ussd, "en", "2*12*12345", &w);
	CHECK(w.kind == MENU_ACTION);
	CHECK_STR(w.action->command, "ref");
	CHECK_STR(w.input, "12345");
	CHECK(w.input_screen == &c->ussd->screens[1]);
	/* "98" on a one-page screen is an invalid choice. */
	walk(c->ussd, "en", "98", &w);
	CHECK(w.kind == MENU_SCREEN && w.error);
	/* After an action, each 98 is the next page of its reply; other answers do nothing. */
	walk(c->ussd, "en", "1*98*5*98", &w);
	CHECK(w.kind == MENU_REPLY && w.page == 2 && w.action_part == 1);
	campaign_free(c);
	buf_free(&errors);
}

static void
test_long_menus_get_more_pages(void)
{
	struct buf json = BUF_INIT, errors = BUF_INIT, out = BUF_INIT;
	struct menu_walk w;
	buf_puts(&json,
	         HEAD "\"ussd\": {\"service_codes\": [\"*1#\"], \"screens\": [{\"id\": "
	              "\"main\", \"text\": {\"fa\": \"منوی اصلی جشنواره\", \"en\": \"Main\"},"
	              " \"options\": [");
	for (int i = 1; i <= 12; i++)
		buf_printf(&json,
		           "%s{\"label\": {\"fa\": \"گزینه شماره %d\", \"en\": \"Option %d\"}, "
		           "\"action\": \"points\"}",
		           i > 1 ? "," : "", i, i);
	buf_puts(&json, "]}]}}");
	struct campaign *c = parse(buf_cstr(&json), &errors);
	CHECK_STR(buf_cstr(&errors), "");
	if (c == NULL)
		return;
	CHECK(menu_render(c->ussd, 0, "en", 0, 0, &lim, &words, NULL) == 1);
	unsigned pages = menu_render(c->ussd, 0, "fa", 0, 0, &lim, &words, &out);
	CHECK(pages >= 3);
	CHECK_CONTAINS(buf_cstr(&out), "\n98. More");
	CHECK(strstr(buf_cstr(&out), "12.") == NULL);
	walk(c->ussd, "fa", "98", &w);
	CHECK(w.kind == MENU_SCREEN && w.page == 1 && !w.error);
	walk(c->ussd, "fa", "98*0", &w);
	CHECK(w.kind == MENU_SCREEN && w.page == 0);
	/* Past the last page "98" is invalid. */
	struct buf more = BUF_INIT;
	for (unsigned i = 0; i < pages; i++)
		buf_printf(&more, "%s98", i ? "*" : "");
	walk(c->ussd, "fa", buf_cstr(&more), &w);
	CHECK(w.page == pages - 1 && w.error);
	buf_reset(&out);
	menu_render(c->ussd, 0, "fa", pages - 1, 0, &lim, &words, &out);
	CHECK_CONTAINS(buf_cstr(&out), "12. گزینه شماره 12");
	CHECK(strstr(buf_cstr(&out), "98.") == NULL);
	/* Options on other pages may still be chosen by number. */
	walk(c->ussd, "fa", "12", &w);
	CHECK(w.kind == MENU_ACTION);
	campaign_free(c);
	buf_free(&json);
	buf_free(&errors);
	buf_free(&out);
	buf_free(&more);
}

static void
test_shipped_samples_have_menus_that_fit(void)
{
	const char *files[] = {GAMIGATE_CAMPAIGNS_DIR "/nowruz-1405.json",
	                       GAMIGATE_CAMPAIGNS_DIR "/club-1405.json"};
	for (size_t f = 0; f < 2; f++) {
		struct buf errors = BUF_INIT, out = BUF_INIT;
		struct campaign *c =
		    campaign_parse_file(files[f], "Asia/Tehran", langs, 2, &errors);
		CHECK_STR(buf_cstr(&errors), "");
		if (c == NULL)
			continue;
		CHECK(c->ussd != NULL && c->ussd->nscreens >= 4);
		for (unsigned s = 0; c->ussd != NULL && s < c->ussd->nscreens; s++) {
			for (int l = 0; l < 2; l++) {
				unsigned pages =
				    menu_render(c->ussd, s, langs[l], 0, 0, &lim, &words, NULL);
				for (unsigned p = 0; p < pages; p++) {
					buf_reset(&out);
					menu_render(c->ussd, s, langs[l], p, 1, &lim, &words, &out);
					CHECK(menu_fits(buf_cstr(&out), &lim));
				}
			}
		}
		campaign_free(c);
		buf_free(&errors);
		buf_free(&out);
	}
}

int
main(void)
{
	RUN(test_section_is_parsed);
	RUN(test_mistakes_are_reported_with_paths);
	RUN(test_screens_render_with_numbers_and_back);
	RUN(test_long_texts_are_paged_not_cut);
	RUN(test_walks);
	RUN(test_long_menus_get_more_pages);
	RUN(test_shipped_samples_have_menus_that_fit);
	return check_summary();
}
