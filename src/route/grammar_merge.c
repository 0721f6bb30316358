/*
 * grammar_merge — a campaign's "grammar" additions laid over the grammar file, as JSON,
 * before the merged document is checked and compiled like the file alone. A campaign may
 * add keywords and shortcuts to a command of the file, or add whole commands; it may not
 * touch the reserved (compliance) commands. One thread at a time.
 */
#include "route/grammar_internal.h"

#include <stdio.h>
#include <string.h>

/* The command of base named name, or NULL. */
static json_t *
find_command(json_t *base_cmds, const char *name)
{
	size_t i;
	json_t *c;
	json_array_foreach(base_cmds, i, c)
	{
		json_t *n = json_object_get(c, "name");
		if (json_is_string(n) && strcmp(json_string_value(n), name) == 0)
			return c;
	}
	return NULL;
}

/* Appends the items of the array add (at path) to the array field key of obj. */
static void
append_items(struct loader *m, json_t *obj, const char *key, json_t *add, const char *path)
{
	if (!json_is_array(add)) {
		grammar_problem(m, "%s: expected a list", path);
		return;
	}
	json_t *to = json_object_get(obj, key);
	if (to == NULL) {
		to = json_array();
		json_object_set_new(obj, key, to);
	} else if (!json_is_array(to)) {
		return; /* the file's own problem; the loader reports it */
	}
	json_array_extend(to, add);
}

/* Lays one entry of the campaign's commands over the existing command base. */
static void
extend_command(struct loader *m, json_t *base, json_t *entry, size_t i, const char *name)
{
	char path[96];
	const char *key;
	json_t *v;

	if (json_is_true(json_object_get(base, "reserved"))) {
		grammar_problem(
		    m,
		    "commands[%zu]: \"%s\" is a reserved command (compliance keywords are "
		    "the same in every campaign); remove it",
		    i, name);
		return;
	}
	json_object_foreach(entry, key, v)
	{
		if (strcmp(key, "name") == 0 || strcmp(key, "comment") == 0)
			continue;
		if (strcmp(key, "shortcuts") == 0) {
			snprintf(path, sizeof(path), "commands[%zu].shortcuts", i);
			append_items(m, base, "shortcuts", v, path);
		} else if (strcmp(key, "keywords") == 0) {
			const char *lang;
			json_t *words;
			if (!json_is_object(v)) {
				grammar_problem(
				    m, "commands[%zu].keywords: expected an object of lists", i);
				continue;
			}
			json_t *base_kw = json_object_get(base, "keywords");
			if (!json_is_object(base_kw))
				continue; /* the file's own problem */
			json_object_foreach(v, lang, words)
			{
				snprintf(path, sizeof(path), "commands[%zu].keywords.%.8s", i,
				         lang);
				append_items(m, base_kw, lang, words, path);
			}
		} else {
			grammar_problem(
			    m,
			    "commands[%zu].%s: a campaign can only add keywords and shortcuts "
			    "to \"%s\" of the grammar file",
			    i, key, name);
		}
	}
}

int
grammar_merge(json_t *root, const json_t *extra, const char *origin, struct buf *errors)
{
	struct loader m = {.path = origin, .errors = errors};
	json_t *base_cmds = json_object_get(root, "commands");
	const char *key;
	json_t *v;

	if (!json_is_array(base_cmds))
		return 0; /* the file's own problem; the loader reports it */
	if (!json_is_object(extra)) {
		grammar_problem(&m, "expected an object {\"commands\": [...]}");
		return -1;
	}
	json_object_foreach((json_t *)extra, key, v)
	{
		if (strcmp(key, "commands") != 0 && strcmp(key, "comment") != 0)
			grammar_problem(&m, "unknown field \"%s\" (expected commands, comment)",
			                key);
	}
	json_t *cmds = json_object_get(extra, "commands");
	if (cmds == NULL)
		return m.problems > 0 ? -1 : 0;
	if (!json_is_array(cmds)) {
		grammar_problem(&m, "commands: expected a list of commands");
		return -1;
	}
	size_t i;
	json_t *entry;
	json_array_foreach(cmds, i, entry)
	{
		json_t *name = json_object_get(entry, "name");
		if (!json_is_object(entry) || !json_is_string(name)) {
			grammar_problem(&m, "commands[%zu]: expected an object with a \"name\"", i);
			continue;
		}
		json_t *base = find_command(base_cmds, json_string_value(name));
		if (base != NULL)
			extend_command(&m, base, entry, i, json_string_value(name));
		else
			json_array_append_new(base_cmds, json_deep_copy(entry));
	}
	return m.problems > 0 ? -1 : 0;
}
