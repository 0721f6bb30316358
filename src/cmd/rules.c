/*
 * rules — grammar + templates + [sms] settings, reference counted. Loop thread only.
 */
#include "cmd/rules.h"
#include "cmd/command.h"
#include "core/config.h"
#include "core/xalloc.h"
#include "game/campaign.h"
#include "store/campaigns.h"
#include "route/grammar.h"
#include "text/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The languages every campaign text must have. */
static const char *const campaign_langs[] = {"fa", "en"};

/* Parses the active campaigns stored in the database into r. A campaign that does not
 * parse any more (a binary older than the file) is left out and reported. 0 ok, -1
 * when the database could not be read (reported). */
static int
load_campaigns(struct sms_rules *r, const struct config *cfg, struct db_conn *conn,
               struct buf *errors)
{
	struct campaigns_source *src = NULL;
	struct db_error err = {0};
	size_t n = 0;

	if (campaigns_active_sources(conn, &src, &n, &err) < 0) {
		buf_printf(errors, "cannot read the active campaigns: %s\n", err.msg);
		return -1;
	}
	r->campaigns = xcalloc(n > 0 ? n : 1, sizeof(*r->campaigns));
	r->grammars = xcalloc(n > 0 ? n : 1, sizeof(*r->grammars));
	for (size_t i = 0; i < n; i++) {
		char name[96];
		snprintf(name, sizeof(name), "campaign %s version %u", src[i].id, src[i].version);
		struct campaign *c = campaign_parse(src[i].source, src[i].len, name,
		                                    cfg->game_timezone, campaign_langs, 2, errors);
		if (c == NULL)
			continue;
		struct grammar *g = NULL;
		if (c->grammar_json != NULL &&
		    (g = sms_rules_campaign_grammar(cfg, c, name, errors)) == NULL) {
			campaign_free(c); /* left out, like a campaign that does not parse */
			continue;
		}
		c->version = src[i].version;
		r->grammars[r->ncampaigns] = g;
		r->campaigns[r->ncampaigns++] = c;
		buf_printf(&r->signature, "%s:%u,", src[i].id, src[i].version);
	}
	campaigns_sources_free(src, n);
	return 0;
}

/* The index of the campaign for a message to recipient (see sms_rules_campaign), or -1. */
static int
campaign_index(const struct sms_rules *r, const char *recipient, time_t now)
{
	int first = -1;
	for (unsigned i = 0; i < r->ncampaigns; i++) {
		const struct campaign *c = r->campaigns[i];
		if (!campaign_running(c, now))
			continue;
		for (unsigned k = 0; k < c->nshort_codes; k++) {
			if (strcmp(c->short_codes[k], recipient) == 0)
				return (int)i;
		}
		if (first < 0)
			first = (int)i;
	}
	return first;
}

const struct campaign *
sms_rules_campaign(const struct sms_rules *r, const char *recipient, time_t now)
{
	int i = campaign_index(r, recipient, now);
	return i >= 0 ? r->campaigns[i] : NULL;
}

const struct grammar *
sms_rules_grammar(const struct sms_rules *r, const char *recipient, time_t now)
{
	int i = campaign_index(r, recipient, now);
	return i >= 0 && r->grammars[i] != NULL ? r->grammars[i] : r->grammar;
}

/* Appends a problem for every command of g that has no implementation. 0 none, -1. */
static int
check_implemented(const struct grammar *g, const char *origin, struct buf *errors)
{
	int bad = 0;
	for (unsigned i = 0; i < grammar_count(g); i++) {
		const char *name = grammar_command_name(g, i);
		if (command_find(name) == NULL) {
			buf_printf(errors,
			           "%s: command \"%s\" has no implementation in this gamigate; "
			           "remove it from the grammar\n",
			           origin, name);
			bad = 1;
		}
	}
	return bad ? -1 : 0;
}

struct grammar *
sms_rules_campaign_grammar(const struct config *cfg, const struct campaign *c, const char *name,
                           struct buf *errors)
{
	char origin[128];
	snprintf(origin, sizeof(origin), "%s: $.grammar", name);
	struct grammar *g =
	    grammar_load_with(cfg->sms_grammar_file, c->grammar_json, origin, errors);
	if (g != NULL && check_implemented(g, origin, errors) < 0) {
		grammar_free(g);
		return NULL;
	}
	return g;
}

int
sms_rules_campaign_signature(struct db_conn *conn, struct buf *sig, struct db_error *err)
{
	struct campaigns_row *rows = NULL;
	size_t n = 0;
	if (campaigns_list(conn, &rows, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (rows[i].active_version > 0)
			buf_printf(sig, "%s:%u,", rows[i].id, rows[i].active_version);
	}
	free(rows);
	return 0;
}

static void
free_campaigns(struct sms_rules *r)
{
	for (unsigned i = 0; i < r->ncampaigns; i++) {
		campaign_free(r->campaigns[i]);
		grammar_free(r->grammars[i]);
	}
	free(r->campaigns);
	free(r->grammars);
	r->campaigns = NULL;
	r->grammars = NULL;
	r->ncampaigns = 0;
}

struct sms_rules *
sms_rules_load(const struct config *cfg, struct db_conn *conn, struct buf *errors)
{
	struct sms_rules *r = xcalloc(1, sizeof(*r));
	int bad = 0;

	r->refs = 1;
	snprintf(r->default_lang, sizeof(r->default_lang), "%s", cfg->sms_default_lang);
	r->rate_per_minute = (long)cfg->sms_rate_per_minute;
	r->dedupe_window_s = (long)cfg->sms_dedupe_window_s;
	r->json_reply_outbox = strcmp(cfg->inbound_json_reply, "outbox") == 0;
	r->reply_expire_s = (long)cfg->outbox_expire_s;
	r->grammar = grammar_load(cfg->sms_grammar_file, errors);
	r->templates =
	    templates_load(cfg->sms_templates_dir, command_templates, command_templates_count,
	                   (unsigned)cfg->sms_max_segments, errors);
	if (r->grammar == NULL || r->templates == NULL)
		bad = 1;
	if (r->grammar != NULL && check_implemented(r->grammar, cfg->sms_grammar_file, errors) < 0)
		bad = 1;
	if (r->templates != NULL && !templates_has_lang(r->templates, r->default_lang)) {
		buf_printf(errors, "%s: no templates for sms.default_lang \"%s\"\n",
		           cfg->sms_templates_dir, r->default_lang);
		bad = 1;
	}
	if (!bad && conn != NULL)
		r->campaigns_ok = load_campaigns(r, cfg, conn, errors) == 0;
	if (bad) {
		r->refs = 0;
		free_campaigns(r);
		buf_free(&r->signature);
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
	free_campaigns(r);
	buf_free(&r->signature);
	free(r);
}
