/*
 * draws (store) — SQL for draws, sealed seeds, entries, results and the audit chain.
 * Any thread with its own connection.
 */
#include "store/draws.h"
#include "core/sha256.h"
#include "core/xalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define NOW "UTC_TIMESTAMP(6)"

static const char zero_hash[] = "0000000000000000000000000000000000000000000000000000000000000000";

static void
utc_text(time_t t, char out[20])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

static time_t
parse_utc(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (s == NULL || sscanf(s, "%d-%d-%d %d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	                        &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return timegm(&tm);
}

static void
copy_col(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

#define DRAW_COLS                                                                                  \
	"draw_id, campaign_id, campaign_version, cutoff, winners, backups, multiple_wins,"         \
	" COALESCE(beacon_round, 0), status, seed_sha256, committed_at, committed_by,"             \
	" export_sha256, COALESCE(entries, 0), COALESCE(chances, 0), frozen_at, beacon,"           \
	" result_sha256, run_at"

static void
row_fill(const struct db_row *row, struct draws_row *r)
{
	const char *const *v = row->values;
	memset(r, 0, sizeof(*r));
	copy_col(r->draw_id, sizeof(r->draw_id), v[0]);
	copy_col(r->campaign_id, sizeof(r->campaign_id), v[1]);
	r->campaign_version = (unsigned)strtoul(v[2], NULL, 10);
	r->cutoff = parse_utc(v[3]);
	r->winners = (unsigned)strtoul(v[4], NULL, 10);
	r->backups = (unsigned)strtoul(v[5], NULL, 10);
	r->multiple_wins = v[6] != NULL && strcmp(v[6], "0") != 0;
	r->beacon_round = strtoll(v[7], NULL, 10);
	copy_col(r->status, sizeof(r->status), v[8]);
	copy_col(r->seed_sha256, sizeof(r->seed_sha256), v[9]);
	copy_col(r->committed_at, sizeof(r->committed_at), v[10]);
	copy_col(r->committed_by, sizeof(r->committed_by), v[11]);
	copy_col(r->export_sha256, sizeof(r->export_sha256), v[12]);
	r->entries = strtoll(v[13], NULL, 10);
	r->chances = strtoll(v[14], NULL, 10);
	copy_col(r->frozen_at, sizeof(r->frozen_at), v[15]);
	copy_col(r->beacon, sizeof(r->beacon), v[16]);
	copy_col(r->result_sha256, sizeof(r->result_sha256), v[17]);
	copy_col(r->run_at, sizeof(r->run_at), v[18]);
}

static int
one_draw(const struct db_row *row, void *arg)
{
	row_fill(row, arg);
	return 0;
}

int
draws_get(struct db_conn *conn, const char *id, struct draws_row *r, struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(id)};
	r->draw_id[0] = '\0';
	if (db_exec(conn, "SELECT " DRAW_COLS " FROM draws WHERE draw_id = ?", p, 1, one_draw, r,
	            NULL, err) < 0)
		return -1;
	return r->draw_id[0] != '\0';
}

struct list_acc {
	struct draws_row *rows;
	size_t n, cap;
};

static int
list_row(const struct db_row *row, void *arg)
{
	struct list_acc *a = arg;
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 8;
		a->rows = xrealloc(a->rows, a->cap * sizeof(a->rows[0]));
	}
	row_fill(row, &a->rows[a->n++]);
	return 0;
}

int
draws_list(struct db_conn *conn, const char *campaign_id, struct draws_row **rows_r, size_t *n_r,
           struct db_error *err)
{
	struct list_acc a = {0};
	struct db_param p[] = {DB_PARAM_STR(campaign_id != NULL ? campaign_id : "")};
	int rc = campaign_id != NULL
	             ? db_exec(conn,
	                       "SELECT " DRAW_COLS " FROM draws WHERE campaign_id = ?"
	                       " ORDER BY cutoff, draw_id",
	                       p, 1, list_row, &a, NULL, err)
	             : db_exec(conn, "SELECT " DRAW_COLS " FROM draws ORDER BY cutoff, draw_id",
	                       NULL, 0, list_row, &a, NULL, err);
	if (rc < 0) {
		free(a.rows);
		return -1;
	}
	*rows_r = a.rows;
	*n_r = a.n;
	return 0;
}

int
draws_commit(struct db_conn *conn, const struct draws_row *r, const char *seed_hex,
             struct db_error *err)
{
	char cutoff[20];
	uint64_t affected = 0;
	utc_text(r->cutoff, cutoff);
	struct db_param p[] = {
	    DB_PARAM_STR(r->draw_id),          DB_PARAM_STR(r->campaign_id),
	    DB_PARAM_INT(r->campaign_version), DB_PARAM_STR(cutoff),
	    DB_PARAM_INT(r->winners),          DB_PARAM_INT(r->backups),
	    DB_PARAM_INT(r->multiple_wins),    DB_PARAM_INT(r->beacon_round),
	    DB_PARAM_INT(r->beacon_round),     DB_PARAM_STR(r->seed_sha256),
	    DB_PARAM_STR(r->committed_by),
	};
	if (db_exec(
	        conn,
	        "INSERT INTO draws (draw_id, campaign_id, campaign_version, cutoff, winners,"
	        " backups, multiple_wins, beacon_round, status, seed_sha256, committed_at,"
	        " committed_by) VALUES (?, ?, ?, ?, ?, ?, ?, IF(? > 0, ?, NULL), 'committed', ?,"
	        " " NOW ", ?) ON DUPLICATE KEY UPDATE draw_id = draw_id",
	        p, sizeof(p) / sizeof(p[0]), NULL, NULL, &affected, err) < 0)
		return -1;
	if (affected == 0)
		return 0;
	struct db_param s[] = {DB_PARAM_STR(r->draw_id), DB_PARAM_STR(seed_hex)};
	if (db_exec(conn, "INSERT INTO draw_seeds (draw_id, seed) VALUES (?, ?)", s, 2, NULL, NULL,
	            NULL, err) < 0)
		return -1;
	return 1;
}

int
draws_announce(struct db_conn *conn, const char *campaign_id, const char *draw_id,
               const char *vars_json, long long *queued_r, struct db_error *err)
{
	uint64_t affected = 0;
	struct db_param p[] = {DB_PARAM_STR(campaign_id), DB_PARAM_STR(vars_json),
	                       DB_PARAM_STR(draw_id), DB_PARAM_STR(campaign_id)};
	if (db_exec(conn,
	            "INSERT INTO notifications (subscriber_id, campaign_id, kind, template, vars,"
	            " ref, status, created_at)"
	            " SELECT m.subscriber_id, ?, 'promotional', 'draw_commitment', ?,"
	            " CONCAT('draw:', ?, ':commit:', m.subscriber_id), 'pending', " NOW
	            " FROM (SELECT DISTINCT l.subscriber_id FROM chances_ledger l"
	            " JOIN subscribers s ON s.id = l.subscriber_id"
	            " WHERE l.campaign_id = ? AND s.opted_out_at IS NULL) m"
	            " ON DUPLICATE KEY UPDATE id = id",
	            p, 4, NULL, NULL, &affected, err) < 0)
		return -1;
	*queued_r = (long long)affected;
	return 0;
}

/* The sums of the first query, in subscriber order. */
struct entries_acc {
	long long *id, *n;
	size_t len, cap;
};

static int
sum_row(const struct db_row *row, void *arg)
{
	struct entries_acc *a = arg;
	if (a->len == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 4096;
		a->id = xrealloc(a->id, a->cap * sizeof(a->id[0]));
		a->n = xrealloc(a->n, a->cap * sizeof(a->n[0]));
	}
	a->id[a->len] = strtoll(row->values[0], NULL, 10);
	a->n[a->len] = strtoll(row->values[1], NULL, 10);
	a->len++;
	return 0;
}

/* The numbers of the subscribers, in id order. */
struct numbers {
	long long *id;
	char (*msisdn)[17];
	size_t len, cap;
};

static int
number_row(const struct db_row *row, void *arg)
{
	struct numbers *nb = arg;
	if (nb->len == nb->cap) {
		nb->cap = nb->cap ? nb->cap * 2 : 4096;
		nb->id = xrealloc(nb->id, nb->cap * sizeof(nb->id[0]));
		nb->msisdn = xrealloc(nb->msisdn, nb->cap * sizeof(nb->msisdn[0]));
	}
	nb->id[nb->len] = strtoll(row->values[0], NULL, 10);
	snprintf(nb->msisdn[nb->len], sizeof(nb->msisdn[0]), "%s",
	         row->values[1] != NULL ? row->values[1] : "");
	nb->len++;
	return 0;
}

/* One half of the work: the sums of the subscribers with ids in [lo, hi), and with
 * numbers set, every subscriber's number. */
struct entries_part {
	const char *campaign_id, *at;
	long long lo, hi;
	struct entries_acc sums;
	struct numbers *numbers;            /* NULL: not this half's job */
	const struct db_settings *settings; /* the thread's own connection */
	int rc;
	struct db_error err;
};

static int
entries_part_run(struct db_conn *conn, struct entries_part *p)
{
	struct db_param q[] = {DB_PARAM_STR(p->campaign_id), DB_PARAM_INT(p->lo),
	                       DB_PARAM_INT(p->hi), DB_PARAM_STR(p->at)};
	if (db_exec(conn,
	            "SELECT subscriber_id, SUM(delta) AS n FROM chances_ledger"
	            " FORCE INDEX (chances_ledger_draw) WHERE campaign_id = ?"
	            " AND subscriber_id >= ? AND subscriber_id < ? AND created_at < ?"
	            " GROUP BY subscriber_id HAVING n > 0 ORDER BY subscriber_id",
	            q, 4, sum_row, &p->sums, NULL, &p->err) < 0)
		return -1;
	if (p->numbers != NULL && db_exec(conn, "SELECT id, msisdn FROM subscribers ORDER BY id",
	                                  NULL, 0, number_row, p->numbers, NULL, &p->err) < 0)
		return -1;
	return 0;
}

static void *
entries_part_thread(void *arg)
{
	struct entries_part *p = arg;
	struct db_conn *c = db_conn_new(p->settings);
	p->rc = entries_part_run(c, p);
	db_conn_free(c);
	db_thread_end();
	return NULL;
}

static int
range_row(const struct db_row *row, void *arg)
{
	long long *r = arg;
	r[0] = row->values[0] != NULL ? strtoll(row->values[0], NULL, 10) : 0;
	r[1] = row->values[1] != NULL ? strtoll(row->values[1], NULL, 10) : 0;
	return 0;
}

/* Calls fn for each entry of half in id order, with its number. -1 when fn refused. */
static int
merge_half(const struct entries_acc *sums, const struct numbers *nb, size_t *k, draws_entry_fn *fn,
           void *arg)
{
	for (size_t i = 0; i < sums->len; i++) {
		while (*k < nb->len && nb->id[*k] < sums->id[i])
			(*k)++;
		/* A sum without a subscriber row (deleted since) is not an entry. */
		if (*k < nb->len && nb->id[*k] == sums->id[i] &&
		    fn(sums->id[i], nb->msisdn[*k], sums->n[i], arg) < 0)
			return -1;
	}
	return 0;
}

/*
 * Streams in subscriber order instead of one join: the sums come from the covering
 * index chances_ledger_draw in ordered passes (no temporary table, no sort), the
 * numbers from the primary key of subscribers, merged here; a join made the optimizer
 * choose one index look-up per member (minutes for 2 million members). The sums are
 * made in two halves of the id range at once, on this connection and a second one, so
 * that both cores of the server work on them.
 */
int
draws_entries(struct db_conn *conn, const char *campaign_id, time_t cutoff, draws_entry_fn *fn,
              void *arg, struct db_error *err)
{
	char at[20];
	long long range[2] = {0, 0};
	struct numbers nb = {0};
	pthread_t th;
	int rc = 0;

	utc_text(cutoff, at);
	if (db_exec(conn, "SELECT MIN(id), MAX(id) FROM subscribers", NULL, 0, range_row, range,
	            NULL, err) < 0)
		return -1;
	long long mid = range[0] + (range[1] - range[0]) / 2 + 1;
	struct entries_part low = {.campaign_id = campaign_id,
	                           .at = at,
	                           .lo = 0,
	                           .hi = mid,
	                           .numbers = &nb,
	                           .settings = db_conn_settings(conn)};
	struct entries_part high = {
	    .campaign_id = campaign_id, .at = at, .lo = mid, .hi = range[1] + 1};
	int threaded = pthread_create(&th, NULL, entries_part_thread, &low) == 0;
	high.rc = entries_part_run(conn, &high);
	if (threaded)
		pthread_join(th, NULL);
	else
		low.rc = entries_part_run(conn, &low);
	if (low.rc < 0 || high.rc < 0) {
		*err = low.rc < 0 ? low.err : high.err;
		rc = -1;
	}
	size_t k = 0;
	if (rc == 0 && (merge_half(&low.sums, &nb, &k, fn, arg) < 0 ||
	                merge_half(&high.sums, &nb, &k, fn, arg) < 0)) {
		err->code = 0;
		snprintf(err->msg, sizeof(err->msg), "the export refused an entry");
		rc = -1;
	}
	free(low.sums.id);
	free(low.sums.n);
	free(high.sums.id);
	free(high.sums.n);
	free(nb.id);
	free(nb.msisdn);
	return rc;
}

static int
one_ll(const struct db_row *row, void *arg)
{
	*(long long *)arg = row->values[0] != NULL ? strtoll(row->values[0], NULL, 10) : 0;
	return 0;
}

int
draws_member_chances(struct db_conn *conn, long long subscriber_id, const char *campaign_id,
                     time_t before, long long *chances_r, struct db_error *err)
{
	char at[20];
	utc_text(before > 0 ? before : (time_t)253402300799, at); /* 9999-12-31 */
	struct db_param p[] = {DB_PARAM_INT(subscriber_id), DB_PARAM_STR(campaign_id),
	                       DB_PARAM_STR(at)};
	*chances_r = 0;
	return db_exec(conn,
	               "SELECT COALESCE(SUM(delta), 0) FROM chances_ledger WHERE subscriber_id = ?"
	               " AND campaign_id = ? AND created_at < ?",
	               p, 3, one_ll, chances_r, NULL, err);
}

int
draws_freeze(struct db_conn *conn, const char *id, const char *export_sha256, long long entries,
             long long chances, struct db_error *err)
{
	uint64_t affected = 0;
	struct db_param p[] = {DB_PARAM_STR(export_sha256), DB_PARAM_INT(entries),
	                       DB_PARAM_INT(chances), DB_PARAM_STR(id)};
	if (db_exec(
	        conn,
	        "UPDATE draws SET status = 'frozen', export_sha256 = ?, entries = ?, chances = ?,"
	        " frozen_at = " NOW " WHERE draw_id = ? AND status = 'committed'",
	        p, 4, NULL, NULL, &affected, err) < 0)
		return -1;
	return affected == 1;
}

static int
seed_row(const struct db_row *row, void *arg)
{
	copy_col(arg, 65, row->values[0]);
	return 0;
}

int
draws_seed(struct db_conn *conn, const char *id, char seed_r[65], struct db_error *err)
{
	struct db_param p[] = {DB_PARAM_STR(id)};
	seed_r[0] = '\0';
	if (db_exec(conn, "SELECT seed FROM draw_seeds WHERE draw_id = ?", p, 1, seed_row, seed_r,
	            NULL, err) < 0)
		return -1;
	return seed_r[0] != '\0';
}

int
draws_finish(struct db_conn *conn, const char *id, const char *beacon_hex, const char *result,
             const char *result_sha256, const struct draws_winner *w, size_t n,
             struct db_error *err)
{
	uint64_t affected = 0;
	struct db_param p[] = {DB_PARAM_STR(beacon_hex), DB_PARAM_STR(result),
	                       DB_PARAM_STR(result_sha256), DB_PARAM_STR(id)};
	if (db_exec(conn,
	            "UPDATE draws SET status = 'done', beacon = NULLIF(?, ''), result = ?,"
	            " result_sha256 = ?, run_at = " NOW " WHERE draw_id = ? AND status = 'frozen'",
	            p, 4, NULL, NULL, &affected, err) < 0)
		return -1;
	if (affected != 1)
		return 0;
	for (size_t i = 0; i < n; i++) {
		struct db_param q[] = {DB_PARAM_STR(id),
		                       DB_PARAM_INT(w[i].pick),
		                       DB_PARAM_INT(w[i].backup),
		                       DB_PARAM_INT(w[i].rank),
		                       DB_PARAM_INT(w[i].subscriber_id),
		                       DB_PARAM_STR(w[i].pid),
		                       DB_PARAM_STR(w[i].masked)};
		if (db_exec(
		        conn,
		        "INSERT INTO draw_winners (draw_id, pick, backup, rank_no, subscriber_id,"
		        " pid, masked) VALUES (?, ?, ?, ?, ?, ?, ?)",
		        q, 7, NULL, NULL, NULL, err) < 0)
			return -1;
	}
	return 1;
}

struct text_acc {
	struct buf *out;
	int found;
};

static int
text_row(const struct db_row *row, void *arg)
{
	struct text_acc *a = arg;
	if (row->values[0] == NULL)
		return 0;
	buf_append(a->out, row->values[0], row->lengths[0]);
	a->found = 1;
	return 0;
}

int
draws_result(struct db_conn *conn, const char *id, struct buf *out, struct db_error *err)
{
	struct text_acc a = {out, 0};
	struct db_param p[] = {DB_PARAM_STR(id)};
	if (db_exec(conn, "SELECT result FROM draws WHERE draw_id = ?", p, 1, text_row, &a, NULL,
	            err) < 0)
		return -1;
	return a.found;
}

struct winners_acc {
	struct draws_winner *w;
	char (*strs)[2][24];
	size_t n, cap;
};

static int
winner_row(const struct db_row *row, void *arg)
{
	struct winners_acc *a = arg;
	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 16;
		a->w = xrealloc(a->w, a->cap * sizeof(a->w[0]));
		a->strs = xrealloc(a->strs, a->cap * sizeof(a->strs[0]));
	}
	struct draws_winner *w = &a->w[a->n];
	w->pick = (unsigned)strtoul(row->values[0], NULL, 10);
	w->backup = strcmp(row->values[1], "0") != 0;
	w->rank = (unsigned)strtoul(row->values[2], NULL, 10);
	w->subscriber_id = strtoll(row->values[3], NULL, 10);
	copy_col(a->strs[a->n][0], 24, row->values[4]);
	copy_col(a->strs[a->n][1], 24, row->values[5]);
	a->n++;
	return 0;
}

int
draws_winners(struct db_conn *conn, const char *id, struct draws_winner **w_r, size_t *n_r,
              struct db_error *err)
{
	struct winners_acc a = {0};
	struct db_param p[] = {DB_PARAM_STR(id)};
	*w_r = NULL;
	*n_r = 0;
	if (db_exec(conn,
	            "SELECT pick, backup, rank_no, subscriber_id, pid, masked FROM draw_winners"
	            " WHERE draw_id = ? ORDER BY pick",
	            p, 1, winner_row, &a, NULL, err) < 0) {
		free(a.w);
		free(a.strs);
		return -1;
	}
	/* One block: the winners, then their strings. */
	size_t head = a.n * sizeof(struct draws_winner);
	char *block = xmalloc(head + a.n * 48 + 1);
	struct draws_winner *w = (struct draws_winner *)(void *)block;
	for (size_t i = 0; i < a.n; i++) {
		w[i] = a.w[i];
		char *s = block + head + i * 48;
		memcpy(s, a.strs[i][0], 24);
		memcpy(s + 24, a.strs[i][1], 24);
		w[i].pid = s;
		w[i].masked = s + 24;
	}
	free(a.w);
	free(a.strs);
	*w_r = w;
	*n_r = a.n;
	return 0;
}

void
draws_audit_hash(const char *prev_hash, const char *draw_id, const char *action, const char *actor,
                 const char *at_utc, const char *details, char *out)
{
	struct sha256 s;
	uint8_t d[SHA256_BYTES];
	const char *parts[] = {prev_hash, draw_id, action, actor, at_utc, details};
	sha256_init(&s);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (i > 0)
			sha256_update(&s, "\n", 1);
		sha256_update(&s, parts[i], strlen(parts[i]));
	}
	sha256_final(&s, d);
	sha256_hex(d, SHA256_BYTES, out);
}

struct head {
	unsigned long long id;
	char hash[65];
};

static int
head_row(const struct db_row *row, void *arg)
{
	struct head *h = arg;
	h->id = strtoull(row->values[0], NULL, 10);
	copy_col(h->hash, sizeof(h->hash), row->values[1]);
	return 0;
}

int
draws_audit_append(struct db_conn *conn, const char *draw_id, const char *action, const char *actor,
                   const char *details, char *hash_r, struct db_error *err)
{
	struct head h = {0, ""};
	struct timeval tv;
	struct tm tm;
	char at[DRAWS_TIME_LEN + 8], hash[65], clipped[1001];
	if (db_exec(conn, "SELECT last_id, last_hash FROM draw_audit_head WHERE k = 1 FOR UPDATE",
	            NULL, 0, head_row, &h, NULL, err) < 0)
		return -1;
	if (h.hash[0] == '\0') {
		err->code = 0;
		snprintf(err->msg, sizeof(err->msg),
		         "the audit chain has no head row (draw_audit_head); run gamigate migrate");
		return -1;
	}
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(at, 20, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(at + 19, sizeof(at) - 19, ".%06ld", (long)tv.tv_usec);
	snprintf(clipped, sizeof(clipped), "%s", details);
	draws_audit_hash(h.hash, draw_id, action, actor, at, clipped, hash);
	struct db_param p[] = {DB_PARAM_STR(draw_id), DB_PARAM_STR(action),  DB_PARAM_STR(actor),
	                       DB_PARAM_STR(at),      DB_PARAM_STR(clipped), DB_PARAM_STR(h.hash),
	                       DB_PARAM_STR(hash)};
	if (db_exec(conn,
	            "INSERT INTO draw_audit (draw_id, action, actor, at_utc, details, prev_hash,"
	            " row_hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
	            p, 7, NULL, NULL, NULL, err) < 0)
		return -1;
	struct db_param u[] = {DB_PARAM_STR(hash)};
	if (db_exec(conn,
	            "UPDATE draw_audit_head SET last_id = LAST_INSERT_ID(), last_hash = ?"
	            " WHERE k = 1",
	            u, 1, NULL, NULL, NULL, err) < 0)
		return -1;
	if (hash_r != NULL)
		memcpy(hash_r, hash, 65);
	return 0;
}

struct audit_walk {
	const char *draw_id;
	struct buf *listing, *problems;
	struct draws_audit_report *rep;
	char prev[65];
	unsigned long long last_id;
};

static int
audit_row(const struct db_row *row, void *arg)
{
	struct audit_walk *w = arg;
	const char *const *v = row->values;
	unsigned long long id = strtoull(v[0], NULL, 10);
	char want[65];
	int bad = 0;
	w->rep->rows++;
	if (strcmp(v[6], w->prev) != 0) {
		buf_printf(w->problems,
		           "row %llu: it does not follow the row before (id %llu): a row was "
		           "deleted or changed in between\n",
		           id, w->last_id);
		bad = 1;
	}
	draws_audit_hash(v[6], v[1], v[2], v[3], v[4], v[5], want);
	if (strcmp(want, v[7]) != 0) {
		buf_printf(w->problems,
		           "row %llu (%s %s): its fields do not hash to its row_hash: the row was "
		           "edited\n",
		           id, v[1], v[2]);
		bad = 1;
	}
	w->rep->broken += bad;
	if (w->draw_id == NULL || strcmp(w->draw_id, v[1]) == 0)
		buf_printf(w->listing, "%llu %s %-7s %s by %s: %s%s\n", id, v[4], v[2], v[1], v[3],
		           v[5], bad ? "  << BROKEN" : "");
	copy_col(w->prev, sizeof(w->prev), v[7]);
	w->last_id = id;
	return 0;
}

int
draws_audit_check(struct db_conn *conn, const char *draw_id, struct buf *listing,
                  struct buf *problems, struct draws_audit_report *report, struct db_error *err)
{
	struct audit_walk w = {draw_id, listing, problems, report, "", 0};
	struct head h = {0, ""};
	memset(report, 0, sizeof(*report));
	memcpy(w.prev, zero_hash, sizeof(zero_hash));
	if (db_exec(conn,
	            "SELECT id, draw_id, action, actor, at_utc, details, prev_hash, row_hash"
	            " FROM draw_audit ORDER BY id",
	            NULL, 0, audit_row, &w, NULL, err) < 0)
		return -1;
	if (db_exec(conn, "SELECT last_id, last_hash FROM draw_audit_head WHERE k = 1", NULL, 0,
	            head_row, &h, NULL, err) < 0)
		return -1;
	if (h.id != w.last_id || strcmp(h.hash, w.prev) != 0) {
		buf_printf(
		    problems,
		    "the chain ends at row %llu but its head names row %llu (%s): rows at the "
		    "end were deleted, or the head was changed\n",
		    w.last_id, h.id, h.hash);
		report->broken++;
	}
	memcpy(report->head, w.prev, sizeof(report->head));
	return 0;
}
