/*
 * cli_points — points adjust / points reverse (game/adjust.h) and tiers review
 * (game/tiers.h) from the command line. Phone numbers are printed masked.
 *
 * Main thread only.
 */
#include "cli/cli_points.h"
#include "cli/cli_game.h"
#include "core/buf.h"
#include "game/adjust.h"
#include "game/campaign.h"
#include "game/expiry.h"
#include "game/tiers.h"
#include "text/mask.h"
#include "text/msisdn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define POINTS_MAX 1000000000LL /* the largest correction at once */

const char cli_points_adjust_usage[] =
    "usage: gamigate [-c FILE] [--set K=V]... points adjust MSISDN POINTS --reason TEXT\n"
    "                [--ref REF] [--campaign ID]\n"
    "\n"
    "A support agent's correction of a subscriber's balance, as a new ledger row (the\n"
    "ledger is never edited). POINTS > 0 adds a lot of points that expires like the\n"
    "campaign's points and counts toward tiers (a tier may go up at once); POINTS < 0\n"
    "takes points from the lots that expire first and is refused, with nothing changed,\n"
    "when the balance is short. The row is keyed adjust:<REF>:p, so a REF is applied at\n"
    "most once; without --ref the REF is derived from the number, the points, the\n"
    "reason, the campaign and today's UTC date: repeating the same command on the same\n"
    "day changes nothing (give a --ref to apply an identical correction twice).\n"
    "\n"
    "  MSISDN          the subscriber's number (any usual form: 0912..., +98912...)\n"
    "  POINTS          a whole number, not 0: +50, 50 or -20\n"
    "  --reason TEXT   why (kept with the row in points_corrections; 1-255 bytes)\n"
    "  --ref REF       the idempotency key (1-80 printable characters, no spaces), e.g.\n"
    "                  the ticket number\n"
    "  --campaign ID   the campaign the points belong to; needed when several run\n"
    "\n"
    "Exit status: 0 done, or already done before (nothing changed); 1 the database\n"
    "failed (nothing changed; run it again); 2 refused (balance short, no such\n"
    "subscriber) or wrong arguments.\n";

const char cli_points_reverse_usage[] =
    "usage: gamigate [-c FILE] [--set K=V]... points reverse REF [--reason TEXT]\n"
    "\n"
    "Reverses the ledger row keyed REF (e.g. spin:123:p, redeem:45, adjust:T-17:p) with a\n"
    "compensating row keyed reverse:<REF>; the row itself is never edited, and a REF is\n"
    "reversed at most once. An award is taken back (from its own lot first, then the\n"
    "lots that expire first) with its qualifying points (the tier waits for the review),\n"
    "less what of it has expired already; it is refused, with nothing changed, when the\n"
    "subscriber has spent too much of the balance. A debit (a redemption, an expiry, a negative "
    "adjustment) is given back as a\n"
    "new lot that expires like the campaign's points; it does not count toward tiers,\n"
    "and a voucher that was handed out stays handed out. A reversal is not reversed:\n"
    "use points adjust.\n"
    "\n"
    "Exit status: 0 done, or reversed before (nothing changed); 1 the database failed;\n"
    "2 refused (no such row, balance short, a reversal, nothing to reverse) or wrong\n"
    "arguments.\n";

const char cli_tiers_usage[] =
    "usage: gamigate [-c FILE] [--set K=V]... tiers review [--campaign ID] [--now TIME]\n"
    "                [--dry-run] [--batch N]\n"
    "\n"
    "Runs the tier reviews that are due (the campaign's \"tier_review\"): \"monthly\"\n"
    "sets every member's tier to the one the qualifying points they earned in the last\n"
    "month (campaign time zone) reach, never below the entry tier, queues a\n"
    "tier_downgrade notification for those who go down, and restarts qualifying points\n"
    "at what was earned since; \"campaign_end\" puts every member back on the entry tier\n"
    "once the campaign has ended. A review is done once per campaign and period, even\n"
    "when run again or on several nodes at once; running daemons do the same when idle.\n"
    "Members go in batches, one transaction each; progress goes to a terminal.\n"
    "\n"
    "  --campaign ID   only this campaign (default: every active campaign)\n"
    "  --now TIME      act as if it were that time (UTC): 2026-05-01 or\n"
    "                  2026-05-01T10:30:00Z\n"
    "  --dry-run       list the members whose tier would change; change nothing\n"
    "  --batch N       members per transaction (1-1000, default 100)\n"
    "\n"
    "Exit status: 0 done; 1 the database failed (the batches before stay done; run it\n"
    "again to carry on); 2 wrong arguments or no such active campaign.\n";

static const char points_usage_all[] =
    "usage: gamigate [-c FILE] [--set K=V]... points expire|adjust|reverse ...\n"
    "\n"
    "  points expire [--dry-run] [--now ISO]       expire points whose time has come\n"
    "  points adjust MSISDN POINTS --reason TEXT [--ref REF] [--campaign ID]\n"
    "                                              correct a balance (+/-)\n"
    "  points reverse REF [--reason TEXT]          undo one ledger row\n"
    "\n"
    "`gamigate points SUBCOMMAND --help` for one of them.\n";

const char *
cli_points_usage(const struct cli *cli)
{
	const char *sub = cli->nwords > 1 ? cli->words[1] : "";
	if (strcmp(sub, "expire") == 0)
		return cli_game_points_usage;
	if (strcmp(sub, "adjust") == 0)
		return cli_points_adjust_usage;
	if (strcmp(sub, "reverse") == 0)
		return cli_points_reverse_usage;
	return points_usage_all;
}

/* The number masked for printing. */
static const char *
masked(const char *msisdn, struct buf *b)
{
	buf_reset(b);
	mask_phones(msisdn, b);
	return buf_cstr(b);
}

/* Loads the active campaigns; prints the problems. 0 ok, else the exit status. */
static int
load_campaigns(struct cli_db *db, const char *what, struct campaign ***list_r, unsigned *n_r)
{
	struct buf errors = BUF_INIT;
	struct db_error err = {0};
	int rc = 0;
	if (expiry_load_campaigns(db->conn, db->cfg->game_timezone, list_r, n_r, &errors, &err) < 0)
		rc = cli_db_failed(db->cfg, what, &err);
	else if (errors.len > 0)
		fprintf(stderr,
		        "warning: active campaigns that no longer validate are left out:\n%s",
		        buf_cstr(&errors));
	buf_free(&errors);
	return rc;
}

static struct campaign *
find_campaign(struct campaign **list, unsigned n, const char *id)
{
	for (unsigned i = 0; i < n; i++) {
		if (strcmp(list[i]->id, id) == 0)
			return list[i];
	}
	return NULL;
}

/* Parses a correction: a whole number, not 0, at most POINTS_MAX either way. */
static int
parse_points(const char *s, long long *v_r)
{
	char *end = NULL;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v == 0 || v > POINTS_MAX || v < -POINTS_MAX)
		return -1;
	*v_r = v;
	return 0;
}

static int
note_ok(const char *note)
{
	size_t n = strlen(note);
	return n > 0 && n <= ADJUST_NOTE_MAX;
}

int
cli_points_adjust(const struct cli *cli)
{
	const char *number = NULL, *points_s = NULL, *note = NULL, *ref = NULL, *cid = NULL;
	char msisdn[MSISDN_SIZE], auto_ref[48];
	long long points = 0;
	const char *why = NULL;

	for (int i = 2; i < cli->nwords; i++) {
		const char *w = cli->words[i];
		if (strcmp(w, "--reason") == 0 && i + 1 < cli->nwords)
			note = cli->words[++i];
		else if (strcmp(w, "--ref") == 0 && i + 1 < cli->nwords)
			ref = cli->words[++i];
		else if (strcmp(w, "--campaign") == 0 && i + 1 < cli->nwords)
			cid = cli->words[++i];
		else if (number == NULL && (w[0] != '-' || w[1] != '-'))
			number = w;
		else if (points_s == NULL && (w[0] != '-' || (w[1] >= '0' && w[1] <= '9')))
			points_s = w;
		else
			return cli_usage_error("points adjust takes MSISDN POINTS --reason TEXT"
			                       " [--ref REF] [--campaign ID]",
			                       cli_points_adjust_usage);
	}
	if (number == NULL || points_s == NULL)
		return cli_usage_error("points adjust needs MSISDN and POINTS",
		                       cli_points_adjust_usage);
	if (parse_points(points_s, &points) < 0) {
		fprintf(stderr,
		        "gamigate points adjust: POINTS \"%s\" must be a whole number, not 0, "
		        "between -%lld and %lld\n",
		        points_s, POINTS_MAX, POINTS_MAX);
		return 2;
	}
	if (note == NULL || !note_ok(note)) {
		fprintf(stderr,
		        "gamigate points adjust: --reason TEXT is required (1-%d bytes): "
		        "say why, e.g. --reason \"ticket 1234: missed recharge\"\n",
		        ADJUST_NOTE_MAX);
		return 2;
	}
	if (ref != NULL && !adjust_ref_ok(ref)) {
		fprintf(stderr,
		        "gamigate points adjust: --ref must be 1-%d printable characters without "
		        "spaces\n",
		        ADJUST_REF_MAX);
		return 2;
	}

	struct cli_db db;
	struct campaign **campaigns = NULL;
	unsigned n = 0;
	struct db_error err = {0};
	struct buf m = BUF_INIT;
	int rc;

	if (cli_db_open(cli, &db) < 0)
		return 2;
	if (msisdn_normalize(number, (int)db.cfg->game_country_code, msisdn, &why) !=
	    MSISDN_MOBILE) {
		fprintf(stderr, "gamigate points adjust: \"%s\" is not a mobile number%s%s\n",
		        masked(number, &m), why != NULL ? ": " : "", why != NULL ? why : "");
		rc = 2;
		goto out;
	}
	if ((rc = load_campaigns(&db, "points adjust", &campaigns, &n)) != 0)
		goto out;
	struct campaign *c = NULL;
	if (cid != NULL) {
		c = find_campaign(campaigns, n, cid);
		if (c == NULL) {
			fprintf(
			    stderr,
			    "gamigate points adjust: no active campaign \"%s\"; `gamigate campaign "
			    "list` shows them\n",
			    cid);
			rc = 2;
			goto out;
		}
	} else if (n == 1) {
		c = campaigns[0];
	} else {
		fprintf(stderr,
		        "gamigate points adjust: %s; say which with --campaign ID (`gamigate "
		        "campaign list` shows them)\n",
		        n == 0 ? "no campaign is active" : "several campaigns are active");
		rc = 2;
		goto out;
	}
	if (ref == NULL) {
		adjust_default_ref(msisdn, points, note, c->id, time(NULL), auto_ref);
		ref = auto_ref;
	}
	struct adjust_result r;
	if (adjust_points(db.conn, c, msisdn, points, ref, note, &r, &err) < 0) {
		rc = cli_db_failed(db.cfg, "points adjust", &err);
		goto out;
	}
	switch (r.outcome) {
	case ADJUST_DONE:
		printf("adjusted %+lld points of %s in campaign %s (ledger ref %s); balance now "
		       "%lld\n",
		       r.delta, masked(msisdn, &m), c->id, r.ledger_ref, r.balance);
		rc = 0;
		break;
	case ADJUST_ALREADY:
		printf("already applied: ledger ref %s was used before; nothing changed (balance "
		       "of %s: %lld). Give another --ref for a new correction.\n",
		       r.ledger_ref, masked(msisdn, &m), r.balance);
		rc = 0;
		break;
	case ADJUST_SHORT:
		fprintf(stderr,
		        "gamigate points adjust: refused: %s has %lld points, %lld cannot be "
		        "taken; nothing changed\n",
		        masked(msisdn, &m), r.balance, r.wanted);
		rc = 2;
		break;
	default:
		fprintf(stderr,
		        "gamigate points adjust: no subscriber %s; nothing changed (check the "
		        "number)\n",
		        masked(msisdn, &m));
		rc = 2;
		break;
	}
out:
	expiry_campaigns_free(campaigns, n);
	buf_free(&m);
	cli_db_close(&db);
	return rc;
}

int
cli_points_reverse(const struct cli *cli)
{
	const char *ref = NULL, *note = NULL;
	for (int i = 2; i < cli->nwords; i++) {
		const char *w = cli->words[i];
		if (strcmp(w, "--reason") == 0 && i + 1 < cli->nwords)
			note = cli->words[++i];
		else if (ref == NULL && strncmp(w, "--", 2) != 0)
			ref = w;
		else
			return cli_usage_error("points reverse takes REF [--reason TEXT]",
			                       cli_points_reverse_usage);
	}
	if (ref == NULL)
		return cli_usage_error("points reverse needs the REF of a ledger row",
		                       cli_points_reverse_usage);
	if (strlen(ref) > 120) {
		fprintf(stderr, "gamigate points reverse: REF is longer than a ledger ref (120)\n");
		return 2;
	}
	if (note != NULL && !note_ok(note)) {
		fprintf(stderr, "gamigate points reverse: --reason must be 1-%d bytes\n",
		        ADJUST_NOTE_MAX);
		return 2;
	}
	if (note == NULL)
		note = "reversed by points reverse";

	struct cli_db db;
	struct campaign **campaigns = NULL;
	unsigned n = 0;
	struct db_error err = {0};
	struct buf m = BUF_INIT;
	struct adjust_result r;
	int rc;

	if (cli_db_open(cli, &db) < 0)
		return 2;
	if ((rc = load_campaigns(&db, "points reverse", &campaigns, &n)) != 0)
		goto out;
	if (adjust_reverse(db.conn, campaigns, n, ref, note, &r, &err) < 0) {
		rc = cli_db_failed(db.cfg, "points reverse", &err);
		goto out;
	}
	rc = 2;
	switch (r.outcome) {
	case ADJUST_DONE:
		printf("reversed %s: %+lld points of %s (ledger ref %s); balance now %lld\n", ref,
		       r.delta, masked(r.msisdn, &m), r.ledger_ref, r.balance);
		rc = 0;
		break;
	case ADJUST_ALREADY:
		printf("already reversed: %s exists; nothing changed (balance of %s: %lld)\n",
		       r.ledger_ref, masked(r.msisdn, &m), r.balance);
		rc = 0;
		break;
	case ADJUST_SHORT:
		fprintf(stderr,
		        "gamigate points reverse: refused: %s has %lld points, the %lld of %s "
		        "cannot be taken back; nothing changed (points adjust can take part)\n",
		        masked(r.msisdn, &m), r.balance, r.wanted, ref);
		break;
	case ADJUST_NO_ROW:
		fprintf(stderr, "gamigate points reverse: no ledger row has ref \"%s\"\n", ref);
		break;
	case ADJUST_NOTHING:
		fprintf(stderr,
		        "gamigate points reverse: %s moved no points, or they have expired "
		        "already; nothing to reverse\n",
		        ref);
		break;
	case ADJUST_IS_REVERSAL:
		fprintf(stderr,
		        "gamigate points reverse: %s is a reversal itself; use points adjust to "
		        "correct it\n",
		        ref);
		break;
	default:
		break;
	}
out:
	expiry_campaigns_free(campaigns, n);
	buf_free(&m);
	cli_db_close(&db);
	return rc;
}

struct review_print {
	int tty;
	int dry;
	time_t last;
	int printed;
	struct buf m;
};

static void
review_progress(const struct tiers_stats *st, void *arg)
{
	struct review_print *p = arg;
	time_t now = time(NULL);
	if (!p->tty || now == p->last)
		return;
	p->last = now;
	p->printed = 1;
	fprintf(stderr, "\rreviewing: %lld members, %lld down, %lld up so far", st->reviewed,
	        st->downgraded, st->upgraded);
}

static void
review_change(const struct tiers_change *ch, void *arg)
{
	struct review_print *p = arg;
	if (!p->dry)
		return;
	printf("would move %s (%s %s): %s -> %s (%lld qualifying points)\n",
	       masked(ch->msisdn, &p->m), ch->campaign_id, ch->period_key, ch->from, ch->to,
	       ch->earned);
}

static int
cli_tiers_review(const struct cli *cli)
{
	struct tiers_options opt = {.now = time(NULL)};
	struct review_print pr = {isatty(2), 0, 0, 0, BUF_INIT};
	const char *why = NULL;

	for (int i = 2; i < cli->nwords; i++) {
		const char *w = cli->words[i];
		if (strcmp(w, "--dry-run") == 0) {
			opt.dry_run = 1;
		} else if (strcmp(w, "--campaign") == 0 && i + 1 < cli->nwords) {
			opt.campaign_id = cli->words[++i];
		} else if (strcmp(w, "--now") == 0 && i + 1 < cli->nwords) {
			if (expiry_parse_now(cli->words[++i], &opt.now, &why) < 0) {
				fprintf(stderr, "gamigate tiers review: --now %s: %s\n",
				        cli->words[i], why);
				return 2;
			}
		} else if (strcmp(w, "--batch") == 0 && i + 1 < cli->nwords) {
			char *end = NULL;
			long v = strtol(cli->words[++i], &end, 10);
			if (*end != '\0' || v < 1 || v > 1000) {
				fprintf(stderr, "gamigate tiers review: --batch must be 1-1000\n");
				return 2;
			}
			opt.batch = (unsigned)v;
		} else {
			return cli_usage_error("tiers review takes --campaign ID, --now TIME,"
			                       " --dry-run and --batch N",
			                       cli_tiers_usage);
		}
	}
	pr.dry = opt.dry_run;

	struct cli_db db;
	struct campaign **campaigns = NULL;
	unsigned n = 0;
	struct db_error err = {0};
	struct tiers_stats st;
	int rc;

	if (cli_db_open(cli, &db) < 0)
		return 2;
	if ((rc = load_campaigns(&db, "tiers review", &campaigns, &n)) != 0)
		goto out;
	if (opt.campaign_id != NULL && find_campaign(campaigns, n, opt.campaign_id) == NULL) {
		fprintf(
		    stderr,
		    "gamigate tiers review: no active campaign \"%s\"; `gamigate campaign list` "
		    "shows them\n",
		    opt.campaign_id);
		rc = 2;
		goto out;
	}
	opt.campaigns = campaigns;
	opt.ncampaigns = n;
	opt.progress = review_progress;
	opt.change = review_change;
	opt.arg = &pr;
	rc = tiers_review_run(db.conn, &opt, &st, &err);
	if (pr.printed)
		fputc('\n', stderr);
	{
		char at[32];
		struct tm tm;
		gmtime_r(&opt.now, &tm);
		strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
		printf("%s %lld reviews: %lld members, %lld %sdown, %lld %sup (as of %s)\n",
		       opt.dry_run ? "would finish" : "finished", st.reviews, st.reviewed,
		       st.downgraded, opt.dry_run ? "would go " : "went ", st.upgraded,
		       opt.dry_run ? "would go " : "went ", at);
	}
	if (rc < 0)
		rc = cli_db_failed(db.cfg, "tiers review", &err);
out:
	expiry_campaigns_free(campaigns, n);
	buf_free(&pr.m);
	cli_db_close(&db);
	return rc;
}

int
cli_tiers(const struct cli *cli)
{
	if (cli->nwords < 2 || strcmp(cli->words[1], "review") != 0)
		return cli_usage_error("tiers needs review", cli_tiers_usage);
	return cli_tiers_review(cli);
}
