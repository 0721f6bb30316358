/*
 * vouchers (store) — voucher pools: reading an import file, storing its codes, the stock
 * of each pool. A code is an opaque string of its vendor (compared byte for byte); it is
 * handed to exactly one subscriber by game_take_voucher (store/game.h).
 *
 * The import file is one code per line, optionally under a header line "code"; a code
 * is trimmed and must then be 1-100 printable ASCII characters with no ',' ';' or '"'
 * (a second column) — surrounding double quotes are removed. Blank lines are ignored.
 * Reading the file is pure (the CLI; any thread); the SQL functions run on the caller's
 * connection, any thread that owns it.
 */
#ifndef GAMIGATE_STORE_VOUCHERS_H
#define GAMIGATE_STORE_VOUCHERS_H

#include <stddef.h>
#include <stdio.h>

#include "core/buf.h"
#include "store/db.h"

#define VOUCHERS_CODE_MAX   100     /* characters (bytes: printable ASCII only) */
#define VOUCHERS_FILE_LINES 1000000 /* lines per import file */
#define VOUCHERS_LOW_MIN    10      /* a pool is low under 10 % of its codes, or 10 */

/* One valid code of the file, with its line; existing is set by vouchers_import when
 * the pool had it already. */
struct vouchers_code {
	char code[VOUCHERS_CODE_MAX + 1];
	unsigned long line;
	int existing;
};

/* A line that was skipped while reading: bad, or a duplicate of an earlier line. */
struct vouchers_problem {
	unsigned long line;
	unsigned long first; /* the earlier line of a duplicate, 0 for a bad line */
	char why[96];
};

struct vouchers_file {
	struct vouchers_code *codes; /* distinct, in file order */
	size_t ncodes;
	struct vouchers_problem *problems; /* in line order */
	size_t nproblems;
	unsigned long lines;      /* lines read */
	unsigned long bad;        /* lines skipped as bad */
	unsigned long duplicates; /* lines skipped as repeats within the file */
	size_t cap_codes, cap_problems;
};

/* Reads an import file from in (name stands for it in messages). 0 ok (whatever the
 * lines held), -1 when it cannot be used at all, with *error_r (static text): a read
 * error, or more than VOUCHERS_FILE_LINES lines. Free f with vouchers_file_free. */
int vouchers_read(FILE *in, struct vouchers_file *f_r, const char **error_r);
void vouchers_file_free(struct vouchers_file *f);

/* Stores the file's codes in pool, in transactions of a few hundred codes; a code the
 * pool has already is skipped and marked existing. *imported_r counts the new ones
 * (also when it fails half-way: the transactions before stay). 0 ok, -1 with err. */
int vouchers_import(struct db_conn *conn, const char *pool, struct vouchers_file *f,
                    long long *imported_r, struct db_error *err);

/* Appends one line per skipped line, in line order: "NAME:LINE: why; skipped". */
void vouchers_report(const struct vouchers_file *f, const char *name, const char *pool,
                     struct buf *out);

/* 1 when a pool of total codes with free left is low on stock (see VOUCHERS_LOW_MIN). */
int vouchers_low(long long free_codes, long long total);

/* 1 when pool is a valid pool id (1-40 of a-z, 0-9, '-'), else 0. */
int vouchers_pool_valid(const char *pool);

struct vouchers_stock {
	char pool[41];
	long long total;
	long long free_codes;
};

/* The stock of one pool (zeros when it has no codes). 0 ok, -1 with err. */
int vouchers_pool_stock(struct db_conn *conn, const char *pool, struct vouchers_stock *stock_r,
                        struct db_error *err);

/* Every pool with its stock, ordered by id, in a malloc'd array (free it). 0 ok, -1. */
int vouchers_list(struct db_conn *conn, struct vouchers_stock **rows_r, size_t *n_r,
                  struct db_error *err);

#endif
