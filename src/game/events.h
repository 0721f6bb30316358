/*
 * events — external events (recharge, bundle, bill, custom) from the billing system:
 * what they earn by a campaign's "earning" rules, and the missions of type "events"
 * they count toward. An event is applied once, keyed by its event id: a replay, even a
 * concurrent one, answers with the first result and changes nothing.
 *
 * Earning: a points rule gives floor(amount / per_amount) x points, at most max_points
 * (what the rule earns); a multiplier rule of the same event whose local window holds
 * the event's time multiplies that (the largest one when several hold it). A window
 * runs from `from` (included) to `to` (excluded); one whose `to` is before its `from`
 * runs past midnight, and its days are the days it starts on (a Thursday 22:00-02:00
 * window holds Friday 01:00, not Thursday 01:00).
 *
 * Missions: the member's events of the mission's type in the period that holds the
 * event's time (local day, Saturday-to-Friday week, or the campaign) are counted; a
 * stage pays when the count reaches it, the mission completes once per period when the
 * count reaches its count.
 *
 * The earning and window functions and events_parse_time are pure (any thread);
 * events_record runs its own transactions on a worker thread.
 */
#ifndef GAMIGATE_GAME_EVENTS_H
#define GAMIGATE_GAME_EVENTS_H

#include <time.h>

#include "core/buf.h"
#include "game/campaign.h"
#include "store/db.h"

#define EVENTS_ID_MAX       80                 /* bytes of an event id */
#define EVENTS_AMOUNT_MAX   1000000000000000LL /* rials: 10^15 */
#define EVENTS_POINTS_LIMIT 1000000000000LL    /* what one rule may earn: 10^12 */
#define EVENTS_FUTURE_MAX_S (24 * 3600)        /* how far ahead `at` may be */

/* "recharge", "bundle", "bill", "custom". */
const char *events_type_name(enum earning_event type);
/* The type named s. 0 ok, -1 when s names none. */
int events_type_parse(const char *s, enum earning_event *type_r);

/* What a points rule earns for amount: floor(amount / per_amount) x points, at most
 * max_points when it has one, and never above EVENTS_POINTS_LIMIT. 0 for a multiplier
 * rule or an amount <= 0. */
long long events_rule_points(const struct campaign_earning *rule, long long amount);

/* 1 when a local time (weekday 0 = Sunday .. 6 = Saturday, minute of the day 0..1439)
 * is inside the rule's window on one of its days, else 0. A rule without a window
 * (window_from_min < 0) holds every time of its days. */
int events_in_window(const struct campaign_earning *rule, int weekday, int minute);

struct events_earning {
	long long base;   /* what the points rule earns */
	int multiplier;   /* 1 when no multiplier window holds the time */
	long long points; /* base x multiplier */
};

/* What an event of type and amount earns under rules at a local time (as for
 * events_in_window). Zeroes when no points rule is for the type. */
void events_earn(const struct campaign_earning *rules, unsigned nrules, enum earning_event type,
                 long long amount, int weekday, int minute, struct events_earning *earning_r);
/* The same for the UTC instant at, in the campaign's zone. */
void events_earn_at(const struct campaign *c, enum earning_event type, long long amount, time_t at,
                    struct events_earning *earning_r);

/* The UTC bounds [from, to) of the mission period holding at in the campaign's zone,
 * cut to the campaign's own window. */
void events_period_bounds(const struct campaign *c, enum mission_period period, time_t at,
                          time_t *from_r, time_t *to_r);

/* Parses an ISO 8601 time with a zone: "2026-03-21T18:30:00Z", "2026-03-21T22:00+03:30",
 * optional seconds and fraction (dropped), 'T' or a space between date and time.
 * 0 ok with *t_r (UTC); -1 with a static *error_r. */
int events_parse_time(const char *s, time_t *t_r, const char **error_r);

/* One checked event. */
struct events_input {
	char event_id[EVENTS_ID_MAX + 1]; /* 1-80 printable ASCII, no spaces */
	char msisdn[17];                  /* normalised, E.164 */
	enum earning_event type;
	long long amount; /* 0 .. EVENTS_AMOUNT_MAX */
	time_t at;
	int at_given; /* at came with the event (else it is when the event arrived) */
};

/*
 * Applies one event in one transaction (db_tx) against campaigns (the ones it may
 * earn in: those among them running at in->at take part), unless its event id was
 * stored before. result_r receives the result object as JSON text: {"event_id",
 * "status": "applied"|"duplicate", "points", "chances", "missions": [mission ids
 * completed], "note"?}; a duplicate is the first result with its status changed.
 * 0 ok, -1 with err (nothing of this event was stored).
 */
int events_record(struct db_conn *conn, const struct campaign *const *campaigns,
                  unsigned ncampaigns, const struct events_input *in, struct buf *result_r,
                  int *duplicate_r, struct db_error *err);

#endif
