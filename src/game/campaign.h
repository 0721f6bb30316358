/*
 * campaign — a campaign file (campaigns/README.md describes the format) parsed and
 * checked into an immutable struct campaign. Every mistake is reported with its JSON
 * path and a hint; a file with any mistake is refused as a whole.
 *
 * Parsing: any one thread. A parsed campaign is read-only and may be shared by all
 * threads (it is kept alive by the rules bundle that references it).
 */
#ifndef GAMIGATE_GAME_CAMPAIGN_H
#define GAMIGATE_GAME_CAMPAIGN_H

#include <stddef.h>
#include <time.h>

#include "core/buf.h"

struct tz;
struct menu;

#define CAMPAIGN_MAX_LANGS 4

/* Limits on a campaign file (campaigns/README.md lists them too). */
#define CAMPAIGN_FILE_MAX        (1024 * 1024) /* bytes */
#define CAMPAIGN_MAX_SHORT_CODES 8
#define CAMPAIGN_MAX_EARNING     16
#define CAMPAIGN_MAX_TIERS       16
#define CAMPAIGN_MAX_MISSIONS    32
#define CAMPAIGN_MAX_QUESTIONS   400
#define CAMPAIGN_MAX_CHOICES     8
#define CAMPAIGN_MAX_STAGES      16
#define CAMPAIGN_MAX_PRIZES      64
#define CAMPAIGN_MAX_MILESTONES  16
#define CAMPAIGN_MAX_CATALOG     100
#define CAMPAIGN_MAX_DRAWS       16
#define CAMPAIGN_MAX_TEXT_BYTES  1000
#define CAMPAIGN_MAX_PROBLEMS    200 /* lines reported; the rest are counted */

/* A text in each language ("fa", "en"); lookup with campaign_text(). */
struct campaign_text {
	char lang[CAMPAIGN_MAX_LANGS][8];
	char *text[CAMPAIGN_MAX_LANGS];
	unsigned n;
};

struct campaign_reward {
	long long points;
	long long chances;
	char voucher_pool[41]; /* "" = none */
};

enum earning_event { EVENT_RECHARGE, EVENT_BUNDLE, EVENT_BILL, EVENT_CUSTOM };

struct campaign_earning {
	enum earning_event event;
	long long per_amount; /* 0 for a multiplier rule */
	long long points;
	long long max_points; /* 0 = no maximum */
	int multiplier;       /* 0 for a points rule */
	int window_from_min;  /* minutes after local midnight; -1 = all day */
	int window_to_min;
	unsigned days_mask; /* bit 0 = Sunday .. bit 6 = Saturday; 0x7f = every day */
};

struct campaign_tier {
	char id[33];
	struct campaign_text name;
	long long min_points;
};

enum mission_type {
	MISSION_CHECKIN,
	MISSION_SPIN,
	MISSION_QUIZ,
	MISSION_EVENTS,
	MISSION_REFERRALS
};
enum mission_period { PERIOD_DAY, PERIOD_WEEK, PERIOD_CAMPAIGN };

struct campaign_question {
	int year, month, day; /* Gregorian local date it is asked on */
	struct campaign_text text;
	struct campaign_text *choices;
	unsigned nchoices;
	unsigned answer; /* 1-based */
};

struct campaign_stage {
	long long count;
	struct campaign_reward reward;
};

struct campaign_mission {
	char id[41];
	enum mission_type type;
	enum mission_period period;
	struct campaign_reward reward;
	/* checkin */
	unsigned streak_days; /* 0 = no streak bonus */
	struct campaign_reward streak_reward;
	/* quiz */
	struct campaign_question *questions;
	unsigned nquestions;
	/* events / referrals */
	enum earning_event event;
	long long count;
	struct campaign_stage *stages;
	unsigned nstages;
};

struct campaign_prize {
	char id[41];
	struct campaign_text name;
	unsigned weight;
	struct campaign_reward reward;
	long long daily_cap; /* -1 = none */
	long long total_cap; /* -1 = none */
};

struct campaign_wheel {
	int enabled;
	unsigned spins_per_day;
	unsigned fallback; /* index into prizes */
	struct campaign_prize *prizes;
	unsigned nprizes;
};

struct campaign_milestone {
	long long count;
	struct campaign_reward reward;
};

struct campaign_referral {
	int enabled;
	unsigned window_days;
	unsigned cap;
	int require_active;
	struct campaign_reward referrer_reward;
	struct campaign_reward referee_reward;
	struct campaign_milestone *milestones;
	unsigned nmilestones;
};

struct campaign_item {
	char id[41];
	struct campaign_text name;
	long long cost;
	struct campaign_reward reward;
};

/* A lottery draw of the campaign (docs/draws.md). */
struct campaign_draw {
	char id[41];
	time_t cutoff; /* UTC instant: chances created before it take part */
	struct campaign_text prize;
	unsigned winners;
	unsigned backups;
	int multiple_wins;      /* 1: a member may win more than one prize */
	long long beacon_round; /* a future drand round to mix in; 0 = none */
	int announce;           /* 1: SMS the commitment to members when committed */
};

enum tier_review { TIER_REVIEW_NEVER, TIER_REVIEW_MONTHLY, TIER_REVIEW_CAMPAIGN_END };

struct campaign {
	char id[41];
	unsigned version; /* set by whoever loaded it from the database; 0 = from a file */
	struct campaign_text name;
	char timezone[65];
	struct tz *tz;
	time_t starts; /* UTC instant of the local start */
	time_t ends;   /* UTC instant just after the last local day */
	char **short_codes;
	unsigned nshort_codes;
	unsigned expiry_days;
	unsigned expiry_warning_days;
	struct campaign_earning *earning;
	unsigned nearning;
	struct campaign_tier *tiers;
	unsigned ntiers;
	enum tier_review tier_review;
	struct campaign_mission *missions;
	unsigned nmissions;
	struct campaign_wheel wheel;
	struct campaign_referral referral;
	struct campaign_item *catalog;
	unsigned ncatalog;
	char *grammar_json; /* the "grammar" object as JSON text, NULL when absent */
	struct menu *ussd;  /* the USSD menu (game/menu.h), NULL when absent */
	char *source;       /* the whole file as given, stored with each version */
	struct campaign_draw *draws;
	unsigned ndraws;
};

/*
 * Parses and checks a campaign. name stands for the file in messages; default_tz is
 * used when the file names none; langs lists the languages every text must have
 * (e.g. {"fa", "en"}). NULL with one line per problem appended to errors:
 * "FILE: $.wheel.prizes[2].weight: must be a positive whole number (got -5)".
 */
struct campaign *campaign_parse(const char *json, size_t len, const char *name,
                                const char *default_tz, const char *const *langs, unsigned nlangs,
                                struct buf *errors);
/* The same for a file on disk. */
struct campaign *campaign_parse_file(const char *path, const char *default_tz,
                                     const char *const *langs, unsigned nlangs, struct buf *errors);
void campaign_free(struct campaign *c);

/* The text in lang, else in the first language; never NULL. */
const char *campaign_text(const struct campaign_text *t, const char *lang);
/* 1 when the campaign is running at t (starts <= t < ends). */
int campaign_running(const struct campaign *c, time_t t);
/* The mission of a type (the first), or NULL. */
const struct campaign_mission *campaign_mission_of(const struct campaign *c,
                                                   enum mission_type type);

/* The draw with that id, or NULL. */
const struct campaign_draw *campaign_draw_of(const struct campaign *c, const char *id);

/* Appends one line without newline for `campaign validate`: id, the window in local
 * time (and Jalali), short codes, prizes and missions. */
void campaign_summary(const struct campaign *c, struct buf *out);
/* 1 when a and b (different ids) share a short code while their windows overlap, so a
 * message to that code could belong to either; *code_r names the code. 0 otherwise. */
int campaign_conflict(const struct campaign *a, const struct campaign *b, const char **code_r);

#endif
