/*
 * campaign_ussd — the "ussd" section: service codes, screens, options, inputs. Screen
 * references are checked once every id is known, with a "did you mean" hint.
 *
 * Any thread: there is no global state.
 */
#include "game/campaign_ussd.h"
#include "core/xalloc.h"
#include "game/menu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const ussd_fields[] = {"service_codes", "screens"};
static const char *const screen_fields[] = {"id", "text", "options", "input"};
static const char *const option_fields[] = {"label", "screen", "action", "args"};
static const char *const input_fields[] = {"action",     "arg",        "chars",
                                           "min_length", "max_length", "error"};
static const char *const char_names[] = {"digits", "alnum"};

/* The subscriber commands a menu may run (src/cmd/commands.c implements them). */
static const char *const menu_commands[] = {
    "join", "stop", "start",  "help", "spin", "checkin", "missions", "points",
    "code", "ref",  "redeem", "lang", "top",  "quiz",    "answer",
};
#define N_MENU_COMMANDS (sizeof(menu_commands) / sizeof(menu_commands[0]))

static int
name_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n == 0 || n > max || s[0] < 'a' || s[0] > 'z')
		return 0;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

static void
parse_command(struct ck *ck, json_t *obj, const char *path, struct menu_action *a)
{
	char p[PATH_BYTES];
	const char *cmd = ck_get_str(ck, obj, path, "action", true,
	                             "a command name such as \"spin\" or \"points\"");
	if (cmd == NULL)
		return;
	for (size_t i = 0; i < N_MENU_COMMANDS; i++) {
		if (strcmp(cmd, menu_commands[i]) == 0) {
			snprintf(a->command, sizeof(a->command), "%s", cmd);
			return;
		}
	}
	const char *best = ck_closest(cmd, menu_commands, N_MENU_COMMANDS);
	ck_path_key(p, path, "action");
	ck_problem(ck, p,
	           "\"%.*s\" is not a command a menu can run; use one of join, stop, start, help, "
	           "spin, checkin, missions, points, code, ref, redeem, lang, top, quiz, "
	           "answer%s%s%s",
	           ck_clip(cmd, 40), cmd, best ? "; did you mean \"" : "", best ? best : "",
	           best ? "\"?" : "");
}

static void
parse_args(struct ck *ck, json_t *obj, const char *path, struct menu_action *a)
{
	char p[PATH_BYTES], pk[PATH_BYTES];
	const char *key;
	json_t *v = json_object_get(obj, "args");
	if (v == NULL)
		return;
	ck_path_key(p, path, "args");
	if (!json_is_object(v) || json_object_size(v) > MENU_MAX_ARGS) {
		ck_problem(ck, p,
		           "must be an object of at most %d argument names -> values, e.g. "
		           "{\"item\": \"data-1g\"} (got %s)",
		           MENU_MAX_ARGS, ck_type_name(v));
		return;
	}
	json_t *av;
	json_object_foreach(v, key, av)
	{
		ck_path_key(pk, p, key);
		if (!name_ok(key, 31)) {
			ck_problem(ck, pk, "an argument name is 1 to 31 of a-z, 0-9 and '_'");
			continue;
		}
		if (!json_is_string(av) || strlen(json_string_value(av)) == 0 ||
		    strlen(json_string_value(av)) > 160) {
			ck_problem(ck, pk, "must be a text of 1 to 160 bytes, e.g. \"fa\"");
			continue;
		}
		snprintf(a->arg_name[a->nargs], sizeof(a->arg_name[0]), "%s", key);
		snprintf(a->arg_value[a->nargs], sizeof(a->arg_value[0]), "%s",
		         json_string_value(av));
		a->nargs++;
	}
}

/* First pass over an option: the screen is resolved later (screen = -2 until then). */
static void
parse_option(struct ck *ck, json_t *v, const char *path, void *out)
{
	struct menu_option *o = out;
	o->screen = -1;
	if (!json_is_object(v)) {
		ck_problem(ck, path,
		           "must be an object {\"label\": texts, \"screen\": id} or {\"label\": "
		           "texts, \"action\": \"spin\"} (got %s)",
		           ck_type_name(v));
		return;
	}
	ck_check_fields(ck, v, path, option_fields, 4);
	ck_get_text(ck, v, path, "label", &o->label);
	json_t *sv = json_object_get(v, "screen"), *av = json_object_get(v, "action");
	if ((sv == NULL) == (av == NULL)) {
		ck_problem(ck, path,
		           "needs either \"screen\" (where it leads) or \"action\" (the "
		           "command it runs), not both or neither");
		return;
	}
	if (av != NULL) {
		parse_command(ck, v, path, &o->action);
		parse_args(ck, v, path, &o->action);
	} else if (json_object_get(v, "args") != NULL) {
		char p[PATH_BYTES];
		ck_path_key(p, path, "args");
		ck_problem(ck, p, "only an option with an \"action\" takes args");
	}
}

static void
parse_input(struct ck *ck, json_t *v, const char *path, struct menu_input *in)
{
	long long lo = 1, hi = USSD_PART_MAX;
	if (!json_is_object(v)) {
		ck_problem(ck, path,
		           "must be an object {\"action\": \"ref\", \"arg\": \"code\", \"chars\": "
		           "\"alnum\", \"min_length\": 7, \"max_length\": 12} (got %s)",
		           ck_type_name(v));
		return;
	}
	ck_check_fields(ck, v, path, input_fields, 6);
	parse_command(ck, v, path, &in->action);
	const char *arg =
	    ck_get_str(ck, v, path, "arg", true, "the argument the answer fills, e.g. \"code\"");
	if (arg != NULL) {
		if (name_ok(arg, 31)) {
			snprintf(in->arg, sizeof(in->arg), "%s", arg);
		} else {
			char p[PATH_BYTES];
			ck_path_key(p, path, "arg");
			ck_problem(ck, p, "an argument name is 1 to 31 of a-z, 0-9 and '_'");
		}
	}
	int ch = ck_get_enum(ck, v, path, "chars", false, char_names, 2, MENU_CHARS_ALNUM);
	in->chars = ch < 0 ? MENU_CHARS_ALNUM : (enum menu_chars)ch;
	int lo_ok = ck_get_int(ck, v, path, "min_length", false, 1, USSD_PART_MAX, 1, &lo);
	int hi_ok =
	    ck_get_int(ck, v, path, "max_length", false, 1, USSD_PART_MAX, USSD_PART_MAX, &hi);
	if (lo_ok >= 0 && hi_ok >= 0 && lo > hi) {
		char p[PATH_BYTES];
		ck_path_key(p, path, "min_length");
		ck_problem(ck, p, "is more than max_length (%lld > %lld)", lo, hi);
	}
	in->min_len = (unsigned)lo;
	in->max_len = (unsigned)hi;
	if (json_object_get(v, "error") != NULL)
		ck_get_text(ck, v, path, "error", &in->error);
}

static void
parse_screen(struct ck *ck, json_t *v, const char *path, void *out)
{
	struct menu_screen *s = out;
	char p[PATH_BYTES];
	if (!json_is_object(v)) {
		ck_problem(ck, path,
		           "must be an object {\"id\": \"main\", \"text\": texts, \"options\": "
		           "[...]} (got %s)",
		           ck_type_name(v));
		return;
	}
	ck_check_fields(ck, v, path, screen_fields, 4);
	ck_get_id(ck, v, path, "id", 1, 40, s->id);
	ck_get_text(ck, v, path, "text", &s->text);
	json_t *ov = json_object_get(v, "options"), *iv = json_object_get(v, "input");
	if ((ov == NULL) == (iv == NULL)) {
		ck_problem(ck, path,
		           "needs either \"options\" (a list to choose from) or "
		           "\"input\" (an answer to type), not both or neither");
		return;
	}
	if (iv != NULL) {
		s->is_input = 1;
		ck_path_key(p, path, "input");
		parse_input(ck, iv, p, &s->input);
		return;
	}
	json_t *list = ck_get_list(ck, v, path, "options", true, 1, MENU_MAX_OPTIONS,
	                           "a list of 1 to 20 options");
	if (list == NULL)
		return;
	ck_path_key(p, path, "options");
	s->options = ck_parse_list(ck, list, p, sizeof(struct menu_option), parse_option, NULL);
	s->noptions = (unsigned)json_array_size(list);
}

static int
screen_index(const struct menu *m, const char *id)
{
	for (unsigned i = 0; i < m->nscreens; i++) {
		if (strcmp(m->screens[i].id, id) == 0)
			return (int)i;
	}
	return -1;
}

/* Second pass: every option's "screen" names a screen of the menu. */
static void
resolve_screens(struct ck *ck, json_t *screens, struct menu *m)
{
	char p[PATH_BYTES];
	const char **ids = xcalloc(m->nscreens + 1, sizeof(*ids));
	for (unsigned i = 0; i < m->nscreens; i++)
		ids[i] = m->screens[i].id;
	for (unsigned i = 0; i < m->nscreens; i++) {
		json_t *opts = json_object_get(json_array_get(screens, i), "options");
		for (unsigned k = 0; k < m->screens[i].noptions; k++) {
			json_t *sv = json_object_get(json_array_get(opts, k), "screen");
			if (sv == NULL)
				continue;
			ck_pathf(p, "$.ussd.screens[%u].options[%u].screen", i, k);
			const char *id = json_is_string(sv) ? json_string_value(sv) : "";
			int at = screen_index(m, id);
			if (at >= 0) {
				m->screens[i].options[k].screen = at;
				continue;
			}
			const char *best = ck_closest(id, ids, m->nscreens);
			ck_problem(ck, p, "names no screen of the menu (got \"%.*s\")%s%s%s",
			           ck_clip(id, 40), id, best ? "; did you mean \"" : "",
			           best ? best : "", best ? "\"?" : "");
		}
	}
	free(ids);
}

static void
parse_service_codes(struct ck *ck, json_t *v, struct menu *m)
{
	char p[PATH_BYTES];
	size_t i;
	json_t *sv;
	json_t *list =
	    ck_get_list(ck, v, "$.ussd", "service_codes", true, 1, MENU_MAX_SERVICE_CODES,
	                "a list of USSD codes, e.g. [\"*3000#\"]");
	if (list == NULL)
		return;
	m->service_codes = xcalloc(json_array_size(list), sizeof(char *));
	json_array_foreach(list, i, sv)
	{
		ck_pathf(p, "$.ussd.service_codes[%zu]", i);
		const char *s = json_is_string(sv) ? json_string_value(sv) : NULL;
		size_t n = s != NULL ? strlen(s) : 0;
		if (s == NULL || n < 3 || n > 32 || s[0] != '*' || s[n - 1] != '#' ||
		    strspn(s, "0123456789*#") != n) {
			ck_problem(ck, p,
			           "must be a USSD code: '*', digits and '*', then '#', e.g. "
			           "\"*3000#\" (at most 32 characters)");
			continue;
		}
		for (unsigned j = 0; j < m->nservice_codes; j++) {
			if (strcmp(m->service_codes[j], s) == 0) {
				ck_problem(ck, p, "\"%s\" is listed twice", s);
				s = NULL;
				break;
			}
		}
		if (s != NULL)
			m->service_codes[m->nservice_codes++] = xstrdup(s);
	}
}

void
campaign_ussd_parse(struct ck *ck, json_t *root, struct campaign *c)
{
	json_t *v = json_object_get(root, "ussd");
	if (v == NULL)
		return;
	if (!json_is_object(v)) {
		ck_problem(ck, "$.ussd",
		           "must be an object {\"service_codes\": [\"*3000#\"], \"screens\": "
		           "[...]} (got %s)",
		           ck_type_name(v));
		return;
	}
	ck_check_fields(ck, v, "$.ussd", ussd_fields, 2);
	struct menu *m = xcalloc(1, sizeof(*m));
	c->ussd = m;
	parse_service_codes(ck, v, m);
	json_t *screens = ck_get_list(ck, v, "$.ussd", "screens", true, 1, MENU_MAX_SCREENS,
	                              "a list of screens, the first one is home");
	if (screens == NULL)
		return;
	m->screens = ck_parse_list(ck, screens, "$.ussd.screens", sizeof(struct menu_screen),
	                           parse_screen, "screen");
	m->nscreens = (unsigned)json_array_size(screens);
	resolve_screens(ck, screens, m);
}
