/*
 * Integration: campaign versions against the real private MariaDB — loading the same
 * text twice keeps one version; a changed file becomes version 2 and the active one
 * while version 1 is kept; loading version 1's text again re-activates it without a
 * third version; list, active sources, stop; the database refuses an active version
 * that was never stored; two loads at once get different versions.
 */
#include "check.h"
#include "game/campaign.h"
#include "store/campaigns.h"
#include "store/db.h"
#include "store/migrate.h"
#include "testdb.h"

#include <pthread.h>
#include <stdlib.h>

static const char source_v1[] = "{\"id\": \"nowruz-1405\", \"v\": 1}\n";
static const char source_v2[] = "{\"id\": \"nowruz-1405\", \"v\": 2}\n";

static int
count_row(const struct db_row *row, void *arg)
{
	*(long *)arg = strtol(row->values[0], NULL, 10);
	return 0;
}

static long
count_of(struct db_conn *c, const char *sql)
{
	struct db_error err = {0};
	long n = -1;
	if (db_exec(c, sql, NULL, 0, count_row, &n, NULL, &err) < 0)
		fprintf(stderr, "%s: %s\n", sql, err.msg);
	return n;
}

static void
test_versions_and_activation(void)
{
	struct db_settings s;
	struct db_error err = {0};
	struct campaigns_stored r;
	struct db_conn *c = testdb_migrated("camp_versions", &s);

	CHECK(campaigns_store(c, "nowruz-1405", source_v1, "test@host", &r, &err) == 0);
	CHECK(r.version == 1 && r.created == 1 && r.activated == 1 && r.previous == 0);

	/* The same text again: one version, nothing changes. */
	CHECK(campaigns_store(c, "nowruz-1405", source_v1, "test@host", &r, &err) == 0);
	CHECK(r.version == 1 && r.created == 0 && r.activated == 0 && r.previous == 1);
	CHECK(count_of(c, "SELECT COUNT(*) FROM campaign_versions") == 1);

	/* A changed file: version 2, active; version 1 kept. */
	CHECK(campaigns_store(c, "nowruz-1405", source_v2, "other@host", &r, &err) == 0);
	CHECK(r.version == 2 && r.created == 1 && r.activated == 1 && r.previous == 1);
	CHECK(count_of(c, "SELECT COUNT(*) FROM campaign_versions") == 2);
	CHECK(count_of(c, "SELECT active_version FROM campaigns WHERE id = 'nowruz-1405'") == 2);
	CHECK(count_of(c, "SELECT COUNT(*) FROM campaign_versions WHERE version = 1 AND"
	                  " source LIKE '%\"v\": 1%'") == 1);

	/* Version 1's text again: re-activated, no version 3. */
	CHECK(campaigns_store(c, "nowruz-1405", source_v1, "test@host", &r, &err) == 0);
	CHECK(r.version == 1 && r.created == 0 && r.activated == 1 && r.previous == 2);
	CHECK(count_of(c, "SELECT COUNT(*) FROM campaign_versions") == 2);

	/* Text that differs only in case or trailing space is a new version (the comparison is
	 * byte for byte, not by collation). */
	CHECK(campaigns_store(c, "nowruz-1405", "{\"id\": \"nowruz-1405\", \"v\": 1}\n ", "t", &r,
	                      &err) == 0);
	CHECK(r.version == 3 && r.created == 1);

	/* A second campaign has its own numbering. */
	CHECK(campaigns_store(c, "yalda-1405", source_v1, "test@host", &r, &err) == 0);
	CHECK(r.version == 1 && r.created == 1);

	struct campaigns_row *rows = NULL;
	size_t n = 0;
	CHECK(campaigns_list(c, &rows, &n, &err) == 0);
	CHECK(n == 2);
	if (n == 2) {
		CHECK_STR(rows[0].id, "nowruz-1405");
		CHECK(rows[0].active_version == 3 && rows[0].latest_version == 3 &&
		      rows[0].nversions == 3);
		CHECK_STR(rows[0].loaded_by, "t");
		CHECK(rows[0].updated_at[0] == '2');
		CHECK_STR(rows[1].id, "yalda-1405");
		CHECK(rows[1].active_version == 1 && rows[1].nversions == 1);
	}
	free(rows);

	/* Stop: no longer among the active sources; stopping again changes nothing. */
	enum campaigns_stop_result res;
	unsigned previous = 0;
	CHECK(campaigns_stop(c, "yalda-1405", &res, &previous, &err) == 0);
	CHECK(res == CAMPAIGNS_STOPPED && previous == 1);
	CHECK(campaigns_stop(c, "yalda-1405", &res, &previous, &err) == 0);
	CHECK(res == CAMPAIGNS_NOT_ACTIVE && previous == 0);
	CHECK(campaigns_stop(c, "no-such", &res, &previous, &err) == 0);
	CHECK(res == CAMPAIGNS_NO_SUCH);

	struct campaigns_source *src = NULL;
	CHECK(campaigns_active_sources(c, &src, &n, &err) == 0);
	CHECK(n == 1);
	if (n == 1) {
		CHECK_STR(src[0].id, "nowruz-1405");
		CHECK(src[0].version == 3);
		CHECK_STR(src[0].source, "{\"id\": \"nowruz-1405\", \"v\": 1}\n ");
		CHECK(src[0].len == sizeof(source_v1));
	}
	campaigns_sources_free(src, n);

	/* Loading a stopped campaign's text again activates it. */
	CHECK(campaigns_store(c, "yalda-1405", source_v1, "test@host", &r, &err) == 0);
	CHECK(r.version == 1 && r.created == 0 && r.activated == 1 && r.previous == 0);

	/* The database itself refuses an active version that was never stored. */
	CHECK(db_exec_plain(c, "UPDATE campaigns SET active_version = 9 WHERE id = 'yalda-1405'",
	                    &err) == -1);
	CHECK(err.code == 1452);

	db_conn_free(c);
	testdb_drop(&s);
}

/* The shipped sample, as the CLI stores it: parse, store, fetch back, parse again. */
static void
test_sample_round_trip(void)
{
	static const char *const langs[] = {"fa", "en"};
	struct db_settings s;
	struct db_error err = {0};
	struct campaigns_stored r;
	struct buf errors = BUF_INIT;
	struct db_conn *c = testdb_migrated("camp_sample", &s);

	struct campaign *camp =
	    campaign_parse_file(GAMIGATE_CAMPAIGN_SAMPLE, "Asia/Tehran", langs, 2, &errors);
	CHECK(camp != NULL);
	if (camp != NULL) {
		CHECK(campaigns_store(c, camp->id, camp->source, "test", &r, &err) == 0);
		CHECK(r.version == 1);
		struct campaigns_source *src = NULL;
		size_t n = 0;
		CHECK(campaigns_active_sources(c, &src, &n, &err) == 0);
		CHECK(n == 1);
		if (n == 1) {
			CHECK_STR(src[0].source, camp->source); /* Persian text intact */
			struct campaign *again = campaign_parse(src[0].source, src[0].len, "db",
			                                        "Asia/Tehran", langs, 2, &errors);
			CHECK(again != NULL && again->starts == camp->starts);
			campaign_free(again);
		}
		campaigns_sources_free(src, n);
	}
	CHECK_STR(buf_cstr(&errors), "");
	campaign_free(camp);
	buf_free(&errors);
	db_conn_free(c);
	testdb_drop(&s);
}

struct loader {
	struct db_settings *s;
	char text[64];
	unsigned version;
	int rc;
};

static void *
load_thread(void *arg)
{
	struct loader *l = arg;
	struct db_error err = {0};
	struct campaigns_stored r = {0};
	struct db_conn *c = db_conn_new(l->s);
	l->rc = campaigns_store(c, "race", l->text, "thread", &r, &err);
	if (l->rc != 0)
		fprintf(stderr, "concurrent load: %s\n", err.msg);
	l->version = r.version;
	db_conn_free(c);
	db_thread_end();
	return NULL;
}

/* Four different texts loaded at once: versions 1 to 4, each once. */
static void
test_concurrent_loads(void)
{
	struct db_settings s;
	struct loader l[4];
	pthread_t t[4];
	struct db_conn *c = testdb_migrated("camp_race", &s);
	unsigned seen = 0;

	for (int i = 0; i < 4; i++) {
		l[i] = (struct loader){.s = &s};
		snprintf(l[i].text, sizeof(l[i].text), "{\"id\": \"race\", \"n\": %d}", i);
		pthread_create(&t[i], NULL, load_thread, &l[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK(l[i].rc == 0);
		CHECK(l[i].version >= 1 && l[i].version <= 4);
		seen |= 1u << l[i].version;
	}
	CHECK(seen == 0x1e);
	CHECK(count_of(c, "SELECT COUNT(*) FROM campaign_versions WHERE campaign_id = 'race'") ==
	      4);
	db_conn_free(c);
	testdb_drop(&s);
}

int
main(void)
{
	db_library_init();
	RUN(test_versions_and_activation);
	RUN(test_sample_round_trip);
	RUN(test_concurrent_loads);
	db_library_end();
	return check_summary();
}
