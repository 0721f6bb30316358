/*
 * rules — grammar + templates + [sms] settings, reference counted. Loop thread only.
 */
#include "cmd/rules.h"
#include "cmd/command.h"
#include "core/config.h"
#include "core/xalloc.h"
#include "route/grammar.h"
#include "text/template.h"

#include <stdio.h>
#include <stdlib.h>

struct sms_rules *
sms_rules_load(const struct config *cfg, struct buf *errors)
{
	struct sms_rules *r = xcalloc(1, sizeof(*r));
	int bad = 0;

	r->refs = 1;
	snprintf(r->default_lang, sizeof(r->default_lang), "%s", cfg->sms_default_lang);
	r->rate_per_minute = (long)cfg->sms_rate_per_minute;
	r->dedupe_window_s = (long)cfg->sms_dedupe_window_s;
	r->grammar = grammar_load(cfg->sms_grammar_file, errors);
	r->templates =
	    templates_load(cfg->sms_templates_dir, command_templates, command_templates_count,
	                   (unsigned)cfg->sms_max_segments, errors);
	if (r->grammar == NULL || r->templates == NULL)
		bad = 1;
	if (r->grammar != NULL) {
		for (unsigned i = 0; i < grammar_count(r->grammar); i++) {
			const char *name = grammar_command_name(r->grammar, i);
			if (command_find(name) == NULL) {
				buf_printf(errors,
				           "%s: command \"%s\" has no implementation in this "
				           "gamigate; remove it from the grammar\n",
				           cfg->sms_grammar_file, name);
				bad = 1;
			}
		}
	}
	if (r->templates != NULL && !templates_has_lang(r->templates, r->default_lang)) {
		buf_printf(errors, "%s: no templates for sms.default_lang \"%s\"\n",
		           cfg->sms_templates_dir, r->default_lang);
		bad = 1;
	}
	if (bad) {
		r->refs = 0;
		grammar_free(r->grammar);
		templates_free(r->templates);
		free(r);
		return NULL;
	}
	return r;
}

struct sms_rules *
sms_rules_ref(struct sms_rules *r)
{
	r->refs++;
	return r;
}

void
sms_rules_unref(struct sms_rules *r)
{
	if (r == NULL || --r->refs > 0)
		return;
	grammar_free(r->grammar);
	templates_free(r->templates);
	free(r);
}
