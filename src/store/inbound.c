/*
 * inbound — SQL for inbound_messages. Worker threads.
 */
#include "store/inbound.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
stored_row(const struct db_row *row, void *arg)
{
	struct inbound_stored *s = arg;
	s->found = 1;
	snprintf(s->outcome, sizeof(s->outcome), "%s", row->values[0]);
	snprintf(s->reply, sizeof(s->reply), "%s", row->values[1]);
	snprintf(s->reply_lang, sizeof(s->reply_lang), "%s", row->values[2] ? row->values[2] : "");
	snprintf(s->reply_encoding, sizeof(s->reply_encoding), "%s",
	         row->values[3] ? row->values[3] : "");
	s->reply_segments = (unsigned)strtoul(row->values[4], NULL, 10);
	return 0;
}

int
inbound_find(struct db_conn *conn, const char *adapter, const char *provider_id, const char *alt_id,
             long window_s, struct inbound_stored *out, struct db_error *err)
{
	memset(out, 0, sizeof(*out));
	if (alt_id == NULL) {
		struct db_param p[] = {DB_PARAM_STR(adapter), DB_PARAM_STR(provider_id)};
		return db_exec(conn,
		               "SELECT outcome, reply, reply_lang, reply_encoding, reply_segments"
		               " FROM inbound_messages WHERE adapter = ? AND provider_id = ?",
		               p, 2, stored_row, out, NULL, err);
	}
	struct db_param p[] = {DB_PARAM_STR(adapter), DB_PARAM_STR(provider_id),
	                       DB_PARAM_STR(alt_id), DB_PARAM_INT(window_s)};
	return db_exec(conn,
	               "SELECT outcome, reply, reply_lang, reply_encoding, reply_segments"
	               " FROM inbound_messages WHERE adapter = ? AND provider_id IN (?, ?)"
	               " AND received_at > UTC_TIMESTAMP(6) - INTERVAL ? SECOND"
	               " ORDER BY id LIMIT 1",
	               p, 4, stored_row, out, NULL, err);
}

static struct db_param
str_or_null(const char *s)
{
	if (s == NULL)
		return (struct db_param){.type = DB_NULL};
	return DB_PARAM_STR(s);
}

#define INBOUND_COLUMNS 13

/* The record's values in the column order of INSERT_SQL. */
static void
record_params(const struct inbound_record *r, struct db_param *p)
{
	p[0] = DB_PARAM_STR(r->adapter);
	p[1] = DB_PARAM_STR(r->provider_id);
	p[2] = DB_PARAM_STR(r->msisdn);
	p[3] = DB_PARAM_STR(r->recipient);
	p[4] = (struct db_param){.type = DB_STR, .s = r->raw, .len = r->raw_len};
	p[5] = DB_PARAM_STR(r->raw_charset);
	p[6] = DB_PARAM_STR(r->text);
	p[7] = str_or_null(r->command);
	p[8] = DB_PARAM_STR(r->outcome);
	p[9] = DB_PARAM_STR(r->reply);
	p[10] = str_or_null(r->reply_lang);
	p[11] = str_or_null(r->reply_encoding);
	p[12] = DB_PARAM_INT((long long)r->reply_segments);
}

#define INSERT_SQL                                                                                 \
	"INSERT INTO inbound_messages (adapter, provider_id, msisdn, recipient,"                   \
	" raw_text, raw_charset, text, command, outcome, reply, reply_lang,"                       \
	" reply_encoding, reply_segments, received_at)"                                            \
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, UTC_TIMESTAMP(6))"

int
inbound_insert(struct db_conn *conn, const struct inbound_record *r, struct db_error *err)
{
	struct db_param p[INBOUND_COLUMNS];
	record_params(r, p);
	return db_exec(conn, INSERT_SQL, p, INBOUND_COLUMNS, NULL, NULL, NULL, err);
}

int
inbound_insert_many(struct db_conn *conn, const struct inbound_record *recs, size_t n,
                    struct db_error *err)
{
	if (n == 0)
		return 0;
	if (n == 1)
		return inbound_insert(conn, &recs[0], err);
	struct db_param *p = xcalloc(n * INBOUND_COLUMNS, sizeof(*p));
	for (size_t i = 0; i < n; i++)
		record_params(&recs[i], &p[i * INBOUND_COLUMNS]);
	/* Its own statement text: a statement prepared for bulk keeps its array size. */
	int rc = db_exec_bulk(conn, INSERT_SQL " /* bulk */", p, n, INBOUND_COLUMNS, err);
	free(p);
	return rc;
}
