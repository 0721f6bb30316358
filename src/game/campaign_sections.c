/*
 * campaign_sections — earning rules (with time-window multipliers), tiers, the wheel,
 * referral codes and the catalog of a campaign file, each checked field by field with
 * the helpers of campaign_check. Checks inside one section live here; checks across
 * sections are in campaign_missions.c (campaign_missions_check).
 *
 * Any thread: there is no global state.
 */
#include "game/campaign_sections.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

#define ALL_DAYS 0x7fu

/* ---- earning rules ---- */

const char *const campaign_sections_event_names[] = {"recharge", "bundle", "bill", "custom"};
static const char *const earning_fields[] = {"event",      "per_amount", "points",
                                             "max_points", "multiplier", "window"};
static const char *const window_fields[] = {"from", "to", "days"};
/* Indexed by weekday: 0 = Sunday .. 6 = Saturday (struct tz_civil's numbering). */
static const char *const day_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

static void
parse_days(struct ck *ck, json_t *w, const char *path, unsigned *mask_r)
{
	char p[PATH_BYTES], pi[PATH_BYTES];
	size_t i;
	json_t *dv;
	json_t *days = ck_get_list(ck, w, path, "days", false, 1, 7,
	                           "days of the week, e.g. [\"thu\", \"fri\"]");
	*mask_r = ALL_DAYS;
	if (days == NULL)
		return;
	*mask_r = 0;
	ck_path_key(p, path, "days");
	json_array_foreach(days, i, dv)
	{
		int day = -1;
		ck_path_idx(pi, p, i);
		if (json_is_string(dv)) {
			for (int k = 0; k < 7; k++) {
				if (strcmp(json_string_value(dv), day_names[k]) == 0)
					day = k;
			}
		}
		if (day < 0) {
			char got[80];
			const char *best = json_is_string(dv)
			                       ? ck_closest(json_string_value(dv), day_names, 7)
			                       : NULL;
			ck_describe(dv, got, sizeof(got));
			ck_problem(
			    ck, pi,
			    "must be one of sat, sun, mon, tue, wed, thu, fri (got %s)%s%s%s", got,
			    best ? "; did you mean \"" : "", best ? best : "", best ? "\"?" : "");
			continue;
		}
		if (*mask_r & (1u << day))
			ck_problem(ck, pi, "\"%s\" is listed twice", day_names[day]);
		*mask_r |= 1u << day;
	}
}

static void
parse_time_window(struct ck *ck, json_t *w, const char *path, struct campaign_earning *e)
{
	char p[PATH_BYTES];
	const char *expect = "a local time \"HH:MM\" such as \"20:00\"";
	if (!json_is_object(w)) {
		ck_problem(
		    ck, path,
		    "must be a time window, e.g. {\"from\": \"20:00\", \"to\": \"22:00\"} (got %s)",
		    ck_type_name(w));
		return;
	}
	ck_check_fields(ck, w, path, window_fields, 3);
	const char *from = ck_get_str(ck, w, path, "from", true, expect);
	const char *to = ck_get_str(ck, w, path, "to", true, expect);
	int f = -1, t = -1;
	if (from != NULL && ck_parse_hhmm(from, false, &f) < 0) {
		ck_path_key(p, path, "from");
		ck_problem(ck, p,
		           "must be a local time \"HH:MM\" from 00:00 to 23:59 (got \"%.*s%s\")",
		           ck_clip(from, 20), from, ck_ellipsis(from, 20));
		f = -1;
	}
	if (to != NULL && ck_parse_hhmm(to, true, &t) < 0) {
		ck_path_key(p, path, "to");
		ck_problem(ck, p,
		           "must be a local time \"HH:MM\" from 00:00 to 24:00 (got \"%.*s%s\")",
		           ck_clip(to, 20), to, ck_ellipsis(to, 20));
		t = -1;
	}
	if (f >= 0 && t >= 0 && (f == t || (f == 0 && t == 24 * 60))) {
		ck_path_key(p, path, "to");
		ck_problem(ck, p,
		           "the window from %s to %s is %s; leave the window out for the whole "
		           "day, or name days",
		           from, to, f == t ? "empty" : "the whole day");
	}
	if (f >= 0 && t >= 0) {
		e->window_from_min = f;
		e->window_to_min = t;
	}
	parse_days(ck, w, path, &e->days_mask);
}

static void
parse_earning_rule(struct ck *ck, json_t *v, const char *p, void *out)
{
	struct campaign_earning *e = out;
	char fp[PATH_BYTES];
	long long m = 0, per = 0, pts = 0, maxp = 0;

	e->window_from_min = e->window_to_min = -1;
	e->days_mask = ALL_DAYS;
	if (!json_is_object(v)) {
		ck_problem(ck, p,
		           "must be a rule, e.g. {\"event\": \"recharge\", \"per_amount\": 10000, "
		           "\"points\": 1} (got %s)",
		           ck_type_name(v));
		return;
	}
	ck_check_fields(ck, v, p, earning_fields, 6);
	int ev = ck_get_enum(ck, v, p, "event", true, campaign_sections_event_names, 4, -1);
	if (ev >= 0)
		e->event = (enum earning_event)ev;
	json_t *w = json_object_get(v, "window");
	if (json_object_get(v, "multiplier") != NULL) {
		ck_get_int(ck, v, p, "multiplier", true, 2, 10, 0, &m);
		e->multiplier = (int)m;
		static const char *const not_here[] = {"per_amount", "points", "max_points"};
		for (size_t i = 0; i < 3; i++) {
			if (json_object_get(v, not_here[i]) == NULL)
				continue;
			ck_path_key(fp, p, not_here[i]);
			ck_problem(ck, fp,
			           "a multiplier rule multiplies what the other rules earn and "
			           "earns nothing itself; move \"%s\" to a rule of its own",
			           not_here[i]);
		}
		ck_path_key(fp, p, "window");
		if (w == NULL)
			ck_problem(ck, fp,
			           "missing; a multiplier rule needs a local time window, e.g. "
			           "{\"from\": \"20:00\", \"to\": \"22:00\"}");
		else
			parse_time_window(ck, w, fp, e);
		return;
	}
	ck_get_int(ck, v, p, "per_amount", true, 1, 1000000000000LL, 0, &per);
	int p_ok = ck_get_int(ck, v, p, "points", true, 1, 1000000, 0, &pts);
	int m_ok = ck_get_int(ck, v, p, "max_points", false, 1, 100000000, 0, &maxp);
	e->per_amount = per;
	e->points = pts;
	e->max_points = maxp;
	if (p_ok == 1 && m_ok == 1 && maxp < pts) {
		ck_path_key(fp, p, "max_points");
		ck_problem(ck, fp,
		           "is below the %lld points one step earns; raise it or leave it out",
		           pts);
	}
	if (w != NULL) {
		ck_path_key(fp, p, "window");
		ck_problem(ck, fp,
		           "only a multiplier rule has a window; add \"multiplier\": 2 to a rule "
		           "of its own, or remove the window");
	}
}

void
campaign_sections_earning(struct ck *ck, json_t *root, struct campaign *c)
{
	char p[PATH_BYTES];
	size_t i;
	json_t *v = ck_get_list(ck, root, "$", "earning", false, 0, CAMPAIGN_MAX_EARNING,
	                        "earning rules, e.g. [{\"event\": \"recharge\", \"per_amount\": "
	                        "10000, \"points\": 1}]");
	if (v == NULL)
		return;
	c->nearning = (unsigned)json_array_size(v);
	c->earning =
	    ck_parse_list(ck, v, "$.earning", sizeof(*c->earning), parse_earning_rule, NULL);
	/* One points rule per event; a multiplier needs something to multiply. Only rules
	 * whose event parsed take part. */
	int evs[CAMPAIGN_MAX_EARNING];
	bool mult[CAMPAIGN_MAX_EARNING];
	for (i = 0; i < c->nearning; i++) {
		json_t *rv2 = json_array_get(v, i);
		json_t *ev = json_object_get(rv2, "event");
		evs[i] = -1;
		mult[i] = json_object_get(rv2, "multiplier") != NULL;
		for (int k = 0; k < 4 && json_is_string(ev); k++) {
			if (strcmp(json_string_value(ev), campaign_sections_event_names[k]) == 0)
				evs[i] = k;
		}
	}
	for (i = 0; i < c->nearning; i++) {
		bool has_points = false;
		if (evs[i] < 0)
			continue;
		for (size_t j = 0; j < c->nearning; j++) {
			if (evs[j] != evs[i] || mult[j])
				continue;
			has_points = true;
			if (!mult[i] && j < i) {
				ck_pathf(p, "$.earning[%zu].event", i);
				ck_problem(ck, p,
				           "a second points rule for \"%s\" (the first is "
				           "$.earning[%zu]); "
				           "one rule per event: merge them",
				           campaign_sections_event_names[evs[i]], j);
				break;
			}
		}
		if (mult[i] && !has_points) {
			ck_pathf(p, "$.earning[%zu].event", i);
			ck_problem(
			    ck, p,
			    "nothing earns points for \"%s\", so this multiplier has nothing to "
			    "multiply; add a rule with per_amount and points",
			    campaign_sections_event_names[evs[i]]);
		}
	}
}

/* ---- tiers ---- */

static const char *const tier_fields[] = {"id", "name", "min_points"};
static const char *const tier_review_names[] = {"never", "monthly", "campaign_end"};

void
campaign_sections_tiers(struct ck *ck, json_t *root, struct campaign *c)
{
	char p[PATH_BYTES], fp[PATH_BYTES];
	size_t i;
	json_t *tv;
	int prev_ok = 0;
	long long prev = 0;
	json_t *v = ck_get_list(ck, root, "$", "tiers", false, 1, CAMPAIGN_MAX_TIERS,
	                        "tiers ordered by min_points, the first at 0");
	int review = ck_get_enum(ck, root, "$", "tier_review", false, tier_review_names, 3,
	                         TIER_REVIEW_NEVER);
	if (review >= 0)
		c->tier_review = (enum tier_review)review;
	if (v == NULL)
		return;
	c->ntiers = (unsigned)json_array_size(v);
	c->tiers = xcalloc(c->ntiers, sizeof(*c->tiers));
	json_array_foreach(v, i, tv)
	{
		struct campaign_tier *t = &c->tiers[i];
		ck_path_idx(p, "$.tiers", i);
		if (!json_is_object(tv)) {
			ck_problem(ck, p,
			           "must be a tier, e.g. {\"id\": \"silver\", \"name\": {...}, "
			           "\"min_points\": 500} (got %s)",
			           ck_type_name(tv));
			prev_ok = 0;
			continue;
		}
		ck_check_fields(ck, tv, p, tier_fields, 3);
		ck_get_id(ck, tv, p, "id", 1, 32, t->id);
		ck_dup_in_list(ck, v, i, "id", "$.tiers", "tier id");
		ck_get_text(ck, tv, p, "name", &t->name);
		int ok = ck_get_int(ck, tv, p, "min_points", true, 0, 1000000000000LL, 0,
		                    &t->min_points);
		ck_path_key(fp, p, "min_points");
		if (ok == 1 && i == 0 && t->min_points != 0)
			ck_problem(ck, fp,
			           "the first tier must start at 0, so that every subscriber has a "
			           "tier (got %lld)",
			           t->min_points);
		else if (ok == 1 && prev_ok == 1 && t->min_points <= prev)
			ck_problem(
			    ck, fp,
			    "tiers are listed by min_points, lowest first: %lld is not above "
			    "the previous tier's %lld",
			    t->min_points, prev);
		prev_ok = ok;
		prev = t->min_points;
	}
}

/* ---- the wheel ---- */

static const char *const wheel_fields[] = {"spins_per_day", "fallback", "prizes"};
static const char *const prize_fields[] = {"id",     "name",      "weight",
                                           "reward", "daily_cap", "total_cap"};

static void
parse_prize(struct ck *ck, json_t *v, const char *p, void *out)
{
	struct campaign_prize *z = out;
	long long weight = 0;
	z->daily_cap = z->total_cap = -1;
	if (!json_is_object(v)) {
		ck_problem(ck, p,
		           "must be a prize: {\"id\": ..., \"name\": {...}, \"weight\": 100, "
		           "\"reward\": {...}} (got %s)",
		           ck_type_name(v));
		return;
	}
	ck_check_fields(ck, v, p, prize_fields, 6);
	ck_get_id(ck, v, p, "id", 1, 40, z->id);
	ck_get_text(ck, v, p, "name", &z->name);
	if (ck_get_int(ck, v, p, "weight", true, 1, 1000000, 0, &weight) == 1)
		z->weight = (unsigned)weight;
	ck_get_reward(ck, v, p, "reward", true, &z->reward);
	int d_ok = ck_get_int(ck, v, p, "daily_cap", false, 1, 1000000000, -1, &z->daily_cap);
	int t_ok = ck_get_int(ck, v, p, "total_cap", false, 1, 1000000000000LL, -1, &z->total_cap);
	if (d_ok == 1 && t_ok == 1 && z->daily_cap > z->total_cap) {
		char fp[PATH_BYTES];
		ck_path_key(fp, p, "daily_cap");
		ck_problem(ck, fp, "%lld a day is more than the total_cap of %lld", z->daily_cap,
		           z->total_cap);
	}
}

void
campaign_sections_wheel(struct ck *ck, json_t *root, struct campaign *c)
{
	long long spins = 1;
	struct campaign_wheel *w = &c->wheel;
	json_t *v = json_object_get(root, "wheel");

	if (v == NULL)
		return;
	if (!json_is_object(v)) {
		ck_problem(
		    ck, "$.wheel",
		    "must be an object: {\"spins_per_day\": 1, \"fallback\": \"<prize id>\", "
		    "\"prizes\": [...]} (got %s)",
		    ck_type_name(v));
		return;
	}
	w->enabled = 1;
	ck_check_fields(ck, v, "$.wheel", wheel_fields, 3);
	ck_get_int(ck, v, "$.wheel", "spins_per_day", false, 1, 100, 1, &spins);
	w->spins_per_day = (unsigned)spins;
	json_t *prizes = ck_get_list(ck, v, "$.wheel", "prizes", true, 2, CAMPAIGN_MAX_PRIZES,
	                             "a wheel needs at least 2 prizes, one of them the fallback");
	const char *fb = ck_get_str(ck, v, "$.wheel", "fallback", true,
	                            "the id of the prize (without caps) that takes the weight of "
	                            "exhausted prizes");
	if (prizes == NULL)
		return;
	w->nprizes = (unsigned)json_array_size(prizes);
	w->prizes = ck_parse_list(ck, prizes, "$.wheel.prizes", sizeof(*w->prizes), parse_prize,
	                          "prize id");
	if (fb == NULL)
		return;
	const char *ids[CAMPAIGN_MAX_PRIZES];
	unsigned nids = 0;
	for (unsigned k = 0; k < w->nprizes; k++) {
		if (w->prizes[k].id[0] == '\0')
			continue;
		if (strcmp(w->prizes[k].id, fb) == 0) {
			const struct campaign_prize *z = &w->prizes[k];
			w->fallback = k;
			if (z->daily_cap >= 0 || z->total_cap >= 0)
				ck_problem(
				    ck, "$.wheel.fallback",
				    "the fallback prize \"%s\" has a %s; the fallback takes the "
				    "weight of exhausted prizes, so it must have no cap",
				    z->id, z->daily_cap >= 0 ? "daily_cap" : "total_cap");
			return;
		}
		ids[nids++] = w->prizes[k].id;
	}
	char list[400];
	const char *best = ck_closest(fb, ids, nids);
	ck_list_names(list, sizeof(list), ids, nids);
	ck_problem(ck, "$.wheel.fallback", "no prize has the id \"%.*s%s\"%s%s%s (prizes: %s)",
	           ck_clip(fb, 40), fb, ck_ellipsis(fb, 40), best ? "; did you mean \"" : "",
	           best ? best : "", best ? "\"?" : "", list);
}

/* ---- referral ---- */

static const char *const referral_fields[] = {
    "window_days", "cap", "require_active", "referrer_reward", "referee_reward", "milestones"};
static const char *const milestone_fields[] = {"count", "reward"};

void
campaign_sections_referral(struct ck *ck, json_t *root, struct campaign *c)
{
	char p[PATH_BYTES], fp[PATH_BYTES];
	size_t i;
	json_t *mv;
	long long days = 0, cap = 0, prev = 0;
	struct campaign_referral *r = &c->referral;
	json_t *v = json_object_get(root, "referral");

	if (v == NULL)
		return;
	if (!json_is_object(v)) {
		ck_problem(
		    ck, "$.referral",
		    "must be an object: {\"window_days\": 7, \"cap\": 20, \"referrer_reward\": "
		    "{...}, \"referee_reward\": {...}} (got %s)",
		    ck_type_name(v));
		return;
	}
	r->enabled = 1;
	ck_check_fields(ck, v, "$.referral", referral_fields, 6);
	ck_get_int(ck, v, "$.referral", "window_days", true, 1, 365, 0, &days);
	int cap_ok = ck_get_int(ck, v, "$.referral", "cap", true, 1, 100000, 0, &cap);
	r->window_days = (unsigned)days;
	r->cap = (unsigned)cap;
	r->require_active = ck_get_bool(ck, v, "$.referral", "require_active", 0);
	ck_get_reward(ck, v, "$.referral", "referrer_reward", true, &r->referrer_reward);
	ck_get_reward(ck, v, "$.referral", "referee_reward", true, &r->referee_reward);
	json_t *ms =
	    ck_get_list(ck, v, "$.referral", "milestones", false, 1, CAMPAIGN_MAX_MILESTONES,
	                "milestones for referrers, e.g. [{\"count\": 3, \"reward\": {...}}]");
	if (ms == NULL)
		return;
	r->nmilestones = (unsigned)json_array_size(ms);
	r->milestones = xcalloc(r->nmilestones, sizeof(*r->milestones));
	json_array_foreach(ms, i, mv)
	{
		struct campaign_milestone *m = &r->milestones[i];
		ck_path_idx(p, "$.referral.milestones", i);
		if (!json_is_object(mv)) {
			ck_problem(ck, p, "must be {\"count\": n, \"reward\": {...}} (got %s)",
			           ck_type_name(mv));
			continue;
		}
		ck_check_fields(ck, mv, p, milestone_fields, 2);
		int ok = ck_get_int(ck, mv, p, "count", true, 1, 100000, 0, &m->count);
		ck_get_reward(ck, mv, p, "reward", true, &m->reward);
		ck_path_key(fp, p, "count");
		if (ok == 1 && m->count <= prev)
			ck_problem(ck, fp,
			           "milestones are listed by count, lowest first: %lld is not "
			           "above %lld",
			           m->count, prev);
		else if (ok == 1 && cap_ok == 1 && m->count > cap)
			ck_problem(ck, fp, "no referrer can reach %lld referrals: the cap is %lld",
			           m->count, cap);
		if (ok == 1)
			prev = m->count;
	}
}

/* ---- catalog ---- */

static const char *const item_fields[] = {"id", "name", "cost", "reward"};

void
campaign_sections_catalog(struct ck *ck, json_t *root, struct campaign *c)
{
	char p[PATH_BYTES], fp[PATH_BYTES];
	size_t i;
	json_t *iv;
	json_t *v = ck_get_list(ck, root, "$", "catalog", false, 0, CAMPAIGN_MAX_CATALOG,
	                        "items to redeem points for, e.g. [{\"id\": \"data-1g\", \"name\": "
	                        "{...}, \"cost\": 500, \"reward\": {...}}]");
	if (v == NULL)
		return;
	c->ncatalog = (unsigned)json_array_size(v);
	c->catalog = xcalloc(c->ncatalog + 1, sizeof(*c->catalog));
	json_array_foreach(v, i, iv)
	{
		struct campaign_item *it = &c->catalog[i];
		ck_path_idx(p, "$.catalog", i);
		if (!json_is_object(iv)) {
			ck_problem(ck, p,
			           "must be an item {\"id\": ..., \"name\": {...}, \"cost\": 500, "
			           "\"reward\": {...}} (got %s)",
			           ck_type_name(iv));
			continue;
		}
		ck_check_fields(ck, iv, p, item_fields, 4);
		ck_get_id(ck, iv, p, "id", 1, 40, it->id);
		ck_dup_in_list(ck, v, i, "id", "$.catalog", "item id");
		ck_get_text(ck, iv, p, "name", &it->name);
		ck_get_int(ck, iv, p, "cost", true, 1, 1000000000, 0, &it->cost);
		ck_get_reward(ck, iv, p, "reward", true, &it->reward);
		ck_path_key(fp, p, "reward");
		if (json_is_object(json_object_get(iv, "reward")) && ck_reward_empty(&it->reward) &&
		    json_object_size(json_object_get(iv, "reward")) == 0)
			ck_problem(ck, fp,
			           "an item must give something: points, chances or a "
			           "voucher_pool");
	}
}
