/*
 * libFuzzer target: the USSD `text` field on any bytes, and the menu walk behind it.
 * Properties checked with abort():
 *   - a parsed text has at most USSD_MAX_PARTS answers of allowed characters, and
 *     joining them with '*' again gives back exactly the input;
 *   - ussd_text_prefix_len of every n is the length of the first n answers joined;
 *   - walking the answers through the shipped sample menu in fa and en never fails, and
 *     the screen or reply page it leads to fits the screen limits.
 */
#include "core/buf.h"
#include "game/campaign.h"
#include "game/menu.h"
#include "route/ussd_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct campaign *sample;

static const struct menu_limits lim = {.max_chars = 182, .max_ucs2 = 80};
static const struct menu_words words = {.more = "More", .back = "Back", .invalid = "Invalid."};

static void
load_sample(void)
{
	static const char *const langs[] = {"fa", "en"};
	struct buf errors = BUF_INIT;
	sample = campaign_parse_file(GAMIGATE_CAMPAIGN_SAMPLE, "Asia/Tehran", langs, 2, &errors);
	if (sample == NULL || sample->ussd == NULL)
		abort();
	buf_free(&errors);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ussd_text t;
	const char *why = NULL;
	const char *s = (const char *)data;

	if (sample == NULL)
		load_sample();
	if (ussd_text_parse(s, size, &t, &why) < 0) {
		if (why == NULL)
			abort();
		return 0;
	}
	if (t.n > USSD_MAX_PARTS || (size == 0) != (t.n == 0))
		abort();
	struct buf joined = BUF_INIT;
	for (unsigned i = 0; i < t.n; i++) {
		size_t n = strlen(t.parts[i].value);
		if (n > USSD_PART_MAX ||
		    strspn(t.parts[i].value, "0123456789abcdefghijklmnopqrstuvwxyz"
		                             "ABCDEFGHIJKLMNOPQRSTUVWXYZ#+") != n)
			abort();
		if (i > 0)
			buf_puts(&joined, "*");
		buf_puts(&joined, t.parts[i].value);
	}
	if (joined.len != size || (size > 0 && memcmp(joined.data, s, size) != 0))
		abort();
	buf_free(&joined);
	size_t want = 0;
	for (unsigned n = 0; n <= t.n; n++) {
		if (n > 0)
			want += strlen(t.parts[n - 1].value) + (n > 1 ? 1 : 0);
		if (ussd_text_prefix_len(s, size, n) != want)
			abort();
	}
	static const char *const langs[] = {"fa", "en"};
	for (int l = 0; l < 2; l++) {
		struct menu_walk w;
		struct buf out = BUF_INIT;
		menu_walk(sample->ussd, langs[l], &t, &lim, &words, &w);
		if (w.screen >= sample->ussd->nscreens)
			abort();
		if (w.kind == MENU_SCREEN) {
			menu_render(sample->ussd, w.screen, langs[l], w.page, w.error, &lim, &words,
			            &out);
			if (!menu_fits(buf_cstr(&out), &lim))
				abort();
		} else if (w.action == NULL || w.action_part == 0 || w.action_part > t.n) {
			abort();
		}
		buf_free(&out);
	}
	return 0;
}
