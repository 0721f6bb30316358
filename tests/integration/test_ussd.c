/*
 * Integration: the USSD session store (src/store/ussd.c) against the real private
 * MariaDB — a session is created once and keeps who opened it, a step is recorded once
 * per (sessionId, text) with the exact bytes of the text, the session moves on and ends
 * with an END, the idle and total ages grow, the end notification marks it, and old
 * sessions and steps are purged in batches.
 */
#include "check.h"
#include "store/db.h"
#include "store/migrate.h"
#include "store/ussd.h"
#include "testdb.h"

#include <string.h>
#include <unistd.h>

static struct db_settings settings;
static struct db_conn *conn;

static void
test_session_is_created_once(void)
{
	struct ussd_session s;
	struct db_error err;
	CHECK(ussd_session_open(conn, "s1", "+989121234567", "*3000#", "nowruz", "fa", &s, &err) ==
	      0);
	CHECK(s.created);
	CHECK_STR(s.msisdn, "+989121234567");
	CHECK_STR(s.lang, "fa");
	CHECK(!s.ended);
	/* Another opener of the same id changes nothing: the first number stays. */
	CHECK(ussd_session_open(conn, "s1", "+989127654321", "*3001#", "club", "en", &s, &err) ==
	      0);
	CHECK(!s.created);
	CHECK_STR(s.msisdn, "+989121234567");
	CHECK_STR(s.campaign_id, "nowruz");
	CHECK(ussd_session_set_lang(conn, "s1", "en", &err) == 0);
	CHECK(ussd_session_open(conn, "s1", "+989121234567", "*3000#", "nowruz", "fa", &s, &err) ==
	      0);
	CHECK_STR(s.lang, "en");
}

static void
test_steps_are_recorded_once_by_exact_text(void)
{
	struct ussd_stored st;
	struct db_error err;
	CHECK(ussd_step_find(conn, "s2", "", 0, &st, &err) == 0);
	CHECK(!st.found);
	CHECK(ussd_step_insert(conn, "s2", "", 0, "CON home", NULL, NULL, "main", 0, 0, &err) == 0);
	CHECK(ussd_step_insert(conn, "s2", "1*2", 3, "END done", "the whole reply", "spin", NULL, 0,
	                       1, &err) == 0);
	CHECK(ussd_step_find(conn, "s2", "", 0, &st, &err) == 0);
	CHECK(st.found);
	CHECK_STR(st.response, "CON home");
	CHECK_STR(st.full_reply, "");
	CHECK(ussd_step_find(conn, "s2", "1*2", 3, &st, &err) == 0);
	CHECK(st.found);
	CHECK_STR(st.full_reply, "the whole reply");
	/* Binary text: no trailing-space or case folding. */
	CHECK(ussd_step_find(conn, "s2", "1*2 ", 4, &st, &err) == 0);
	CHECK(!st.found);
	CHECK(ussd_step_find(conn, "s3", "1*2", 3, &st, &err) == 0);
	CHECK(!st.found);
	/* The same step again is refused by the key. */
	CHECK(ussd_step_insert(conn, "s2", "", 0, "CON other", NULL, NULL, "main", 0, 0, &err) ==
	      -1);
	CHECK(err.code == 1062);
}

static void
test_session_moves_on_and_ends(void)
{
	struct ussd_session s;
	struct db_error err;
	int found = 0;
	CHECK(ussd_session_open(conn, "s4", "+989121234567", "*3000#", "nowruz", "fa", &s, &err) ==
	      0);
	usleep(300 * 1000);
	CHECK(ussd_session_open(conn, "s4", "+989121234567", "*3000#", "nowruz", "fa", &s, &err) ==
	      0);
	CHECK(s.idle_ms >= 250 && s.age_ms >= 250);
	CHECK(ussd_step_insert(conn, "s4", "", 0, "CON home", NULL, NULL, "main", 0, 0, &err) == 0);
	CHECK(ussd_session_open(conn, "s4", "+989121234567", "*3000#", "nowruz", "fa", &s, &err) ==
	      0);
	CHECK(s.idle_ms < 250 && s.age_ms >= 250);
	CHECK(!s.ended);
	CHECK(ussd_step_insert(conn, "s4", "2", 1, "END bye", NULL, "spin", NULL, 0, 1, &err) == 0);
	CHECK(ussd_session_open(conn, "s4", "+989121234567", "*3000#", "nowruz", "fa", &s, &err) ==
	      0);
	CHECK(s.ended);
	/* The gateway's notification. */
	CHECK(ussd_session_close(conn, "nope", "Success", &found, &err) == 0);
	CHECK(!found);
	CHECK(ussd_session_close(conn, "s1", "Failed", &found, &err) == 0);
	CHECK(found);
	CHECK(ussd_session_open(conn, "s1", "+989121234567", "*3000#", "nowruz", "fa", &s, &err) ==
	      0);
	CHECK(s.ended);
}

static void
test_old_sessions_are_purged(void)
{
	struct db_error err;
	struct ussd_session s;
	long long n = -1;
	CHECK(ussd_session_open(conn, "old", "+989121234567", "*3000#", "nowruz", "fa", &s, &err) ==
	      0);
	CHECK(ussd_step_insert(conn, "old", "", 0, "CON home", NULL, NULL, "main", 0, 0, &err) ==
	      0);
	CHECK(ussd_step_insert(conn, "old", "1", 1, "CON x", NULL, NULL, "main", 0, 0, &err) == 0);
	CHECK(db_exec(conn,
	              "UPDATE ussd_sessions SET last_at = last_at - INTERVAL 3 HOUR"
	              " WHERE session_id = 'old'",
	              NULL, 0, NULL, NULL, NULL, &err) == 0);
	CHECK(db_exec(conn,
	              "UPDATE ussd_steps SET created_at = created_at - INTERVAL 3 HOUR"
	              " WHERE session_id = 'old'",
	              NULL, 0, NULL, NULL, NULL, &err) == 0);
	/* Two hours kept: the old session and its two steps go, the recent ones stay. */
	CHECK(ussd_purge(conn, 2 * 3600, 1, &n, &err) == 0);
	CHECK(n == 2); /* one of each per batch */
	CHECK(ussd_purge(conn, 2 * 3600, 100, &n, &err) == 0);
	CHECK(n == 1);
	CHECK(ussd_purge(conn, 2 * 3600, 100, &n, &err) == 0);
	CHECK(n == 0);
	struct ussd_stored st;
	CHECK(ussd_step_find(conn, "old", "", 0, &st, &err) == 0);
	CHECK(!st.found);
	CHECK(ussd_step_find(conn, "s2", "", 0, &st, &err) == 0);
	CHECK(st.found);
}

int
main(void)
{
	struct db_error err;
	db_library_init();
	testdb_create("ussd", &settings);
	conn = db_conn_new(&settings);
	if (migrate_apply(conn, NULL, &err) < 0) {
		fprintf(stderr, "migrate: %s\n", err.msg);
		return 1;
	}
	RUN(test_session_is_created_once);
	RUN(test_steps_are_recorded_once_by_exact_text);
	RUN(test_session_moves_on_and_ends);
	RUN(test_old_sessions_are_purged);
	db_conn_free(conn);
	testdb_drop(&settings);
	db_thread_end();
	db_library_end();
	return check_summary();
}
