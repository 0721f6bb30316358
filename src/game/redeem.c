/*
 * redeem — catalog redemptions. redeem_item: worker threads, in a transaction.
 */
#include "game/redeem.h"
#include "core/log.h"
#include "store/game.h"
#include "store/points.h"
#include "store/vouchers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
redeem_find(const struct campaign *c, const char *arg)
{
	char want[64];
	size_t n = 0;

	while (*arg == ' ')
		arg++;
	for (; *arg != '\0' && n < sizeof(want) - 1; arg++) {
		char ch = *arg;
		if (ch >= 'A' && ch <= 'Z')
			ch = (char)(ch - 'A' + 'a');
		else if (ch == ' ' || ch == '_')
			ch = '-';
		want[n++] = ch;
	}
	if (*arg != '\0')
		return -1; /* longer than any id */
	while (n > 0 && want[n - 1] == '-')
		n--;
	want[n] = '\0';
	if (n == 0)
		return -1;
	if (strspn(want, "0123456789") == n) {
		if (n > 4)
			return -1;
		long k = strtol(want, NULL, 10);
		return k >= 1 && k <= (long)c->ncatalog ? (int)(k - 1) : -1;
	}
	for (unsigned i = 0; i < c->ncatalog; i++) {
		if (strcmp(c->catalog[i].id, want) == 0)
			return (int)i;
	}
	return -1;
}

void
redeem_list(const struct campaign *c, char *out, size_t n)
{
	static const char more[] = "..."; /* GSM 7-bit: keeps an English reply short */
	size_t len = 0;

	out[0] = '\0';
	for (unsigned i = 0; i < c->ncatalog; i++) {
		char item[96];
		int w = snprintf(item, sizeof(item), "%s%u) %s: %lld", i > 0 ? ", " : "", i + 1,
		                 c->catalog[i].id, c->catalog[i].cost);
		/* Room for this item, and for ", …" after it unless it is the last. */
		size_t need = (size_t)w + (i + 1 < c->ncatalog ? sizeof(more) + 2 : 0);
		if (w < 0 || len + need >= n) {
			snprintf(out + len, n - len, "%s%s", i > 0 ? ", " : "", more);
			return;
		}
		memcpy(out + len, item, (size_t)w + 1);
		len += (size_t)w;
	}
}

/* Logs when a voucher just taken from pool brought it under the low-stock mark, and
 * for each of its last VOUCHERS_LOW_MIN codes. Ops read this; a warning from a transaction that
 * later rolls back (or is retried) is possible and harmless. */
static int
check_stock(struct db_conn *conn, const char *pool, struct db_error *err)
{
	struct vouchers_stock st;
	char free_s[24], total_s[24];

	if (vouchers_pool_stock(conn, pool, &st, err) < 0)
		return -1;
	/* Once when the pool crosses the mark, then for each of its last codes. */
	int crossed = !vouchers_low(st.free_codes + 1, st.total);
	if (!vouchers_low(st.free_codes, st.total) ||
	    (!crossed && st.free_codes >= VOUCHERS_LOW_MIN))
		return 0;
	snprintf(free_s, sizeof(free_s), "%lld", st.free_codes);
	snprintf(total_s, sizeof(total_s), "%lld", st.total);
	log_kv(LOG_WARN,
	       st.free_codes == 0 ? "voucher pool is empty; import more codes"
	                          : "voucher pool is running low; import more codes",
	       "pool", pool, "free", free_s, "total", total_s, (const char *)NULL);
	return 0;
}

int
redeem_item(struct db_conn *conn, const struct campaign *c, unsigned item, long long subscriber_id,
            struct redeem_result *res, struct db_error *err)
{
	const struct campaign_item *it = &c->catalog[item];
	struct game_scope scope;
	struct db_error ignored;
	enum points_spend_result spent;
	char ref[48], voucher[101];
	long long id = 0, balance = 0;

	memset(res, 0, sizeof(*res));
	voucher[0] = '\0';
	reward_scope(c, &scope);
	if (db_exec_plain(conn, "SAVEPOINT redeem", err) < 0)
		return -1;
	if (points_redemption_add(conn, &scope, subscriber_id, it->id, it->cost, &id, err) < 0)
		return -1;
	snprintf(ref, sizeof(ref), "redeem:%lld", id);
	if (points_spend(conn, &scope, subscriber_id, it->cost, "redeem", ref, &spent, &balance,
	                 err) < 0)
		return -1;
	res->balance = balance;
	if (spent != POINTS_SPENT) {
		/* POINTS_DUPLICATE cannot happen with a fresh id; treat it as a refusal. */
		res->outcome = REDEEM_SHORT;
		goto undo;
	}
	if (it->reward.voucher_pool[0] != '\0') {
		int got =
		    game_take_voucher(conn, it->reward.voucher_pool, subscriber_id, voucher, err);
		if (got < 0)
			return -1;
		if (got == 0) {
			res->outcome = REDEEM_NO_STOCK;
			res->balance = balance + it->cost;
			goto undo;
		}
		if (check_stock(conn, it->reward.voucher_pool, err) < 0)
			return -1;
	}
	if (reward_apply(conn, c, subscriber_id, &it->reward, "redeem", ref, 0, &res->reward, err) <
	    0)
		return -1;
	snprintf(res->reward.voucher, sizeof(res->reward.voucher), "%s", voucher);
	if (points_redemption_set(conn, id, res->reward.points, res->reward.chances,
	                          voucher[0] != '\0' ? voucher : NULL, err) < 0)
		return -1;
	db_exec_plain(conn, "RELEASE SAVEPOINT redeem", &ignored);
	res->outcome = REDEEM_DONE;
	res->redemption_id = id;
	res->balance = balance + res->reward.points;
	return 0;
undo:
	if (db_exec_plain(conn, "ROLLBACK TO SAVEPOINT redeem", err) < 0)
		return -1;
	db_exec_plain(conn, "RELEASE SAVEPOINT redeem", &ignored);
	return 0;
}
