/*
 * policy — whether an outbound message may go now: STOP, operator blocks, quiet hours
 * in the member's time zone and the daily cap for promotional traffic. Pure logic: the
 * caller reads the member's state and today's count from the store and asks here, once
 * when the outbox row is created and again just before it is sent.
 *
 * The rules (issue 5, DESIGN "Reminders"):
 *   - replies (answers to what the member sent) always go;
 *   - STOP always wins: an opted-out member gets neither promotional nor transactional
 *     messages;
 *   - a delivery report meaning "blocked / advertising filter" opts the member out of
 *     promotional messages only;
 *   - promotional messages wait for the end of quiet hours (default 22:00-08:00 local)
 *     and are dropped once the member got the daily cap of them today (local day);
 *   - transactional messages (winner notices, tier upgrades, expiry warnings) skip the
 *     cap and quiet hours.
 *
 * Any thread; struct policy is immutable once filled.
 */
#ifndef GAMIGATE_SEND_POLICY_H
#define GAMIGATE_SEND_POLICY_H

#include <time.h>

struct tz;

enum outbox_kind { OUTBOX_REPLY, OUTBOX_TRANSACTIONAL, OUTBOX_PROMOTIONAL };

struct policy {
	const struct tz *tz; /* the members' zone */
	int quiet_start_min; /* minutes after local midnight; equal to end = no quiet hours */
	int quiet_end_min;
	long promo_daily_cap; /* 0 = no promotional messages at all */
};

/* What the store knows about the member at the time of the check. */
struct policy_member {
	int opted_out;     /* STOP */
	int promo_blocked; /* a DLR said blocked / advertising filter */
	long promo_today;  /* promotional messages already sent or on their way today */
};

enum policy_verdict { POLICY_SEND, POLICY_WAIT, POLICY_DROP };

/* Decides for a message of kind to member m at now. POLICY_WAIT fills *wait_until_r
 * (the end of quiet hours); POLICY_DROP fills *reason_r (static text). */
enum policy_verdict policy_check(const struct policy *p, enum outbox_kind kind,
                                 const struct policy_member *m, time_t now, time_t *wait_until_r,
                                 const char **reason_r);

/* 1 when now falls inside quiet hours, and then the instant they end in *end_r. */
int policy_quiet(const struct policy *p, time_t now, time_t *end_r);

/* The UTC instant of the local midnight that starts now's day (the cap's day). */
time_t policy_day_start(const struct policy *p, time_t now);

/* Parses "HH:MM" (00:00-23:59) into minutes after midnight. 0 ok, -1 bad text. */
int policy_parse_hhmm(const char *s, int *min_r);

/* "reply", "transactional", "promotional" and back. 0 ok, -1 unknown name. */
const char *outbox_kind_name(enum outbox_kind kind);
int outbox_kind_parse(const char *s, enum outbox_kind *kind_r);

#endif
