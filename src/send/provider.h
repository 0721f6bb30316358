/*
 * provider — what the sender needs from an SMS provider adapter: how to turn one outbox
 * message into an HTTP request, how to read the answer, and how to read a delivery
 * report. One adapter per file (provider_kannel.c, provider_http.c, provider_twilio.c);
 * the sender and the DLR endpoint know them only through this table.
 *
 * The HTTP status decides first, the same for every adapter (provider_classify): 2xx
 * goes to the adapter's parser, 429, 5xx, timeouts and connection errors are retried,
 * any other 4xx is a permanent failure. Delivery reports map every provider's statuses
 * to one internal model (enum dlr_state).
 *
 * Pure functions; any thread.
 */
#ifndef GAMIGATE_SEND_PROVIDER_H
#define GAMIGATE_SEND_PROVIDER_H

#include <stddef.h>

#include "core/buf.h"

struct config;
struct form;

/* One message to send. */
struct provider_msg {
	const char *client_ref;
	const char *msisdn; /* E.164 with '+' */
	const char *text;   /* UTF-8 */
};

#define PROVIDER_MAX_HEADERS 4

/* One HTTP request; body NULL = GET. Owned strings; provider_request_free. */
struct provider_request {
	char *url;
	char *body;
	char *headers[PROVIDER_MAX_HEADERS]; /* "Name: value" */
	unsigned nheaders;
	char *userpwd; /* basic auth "user:password", or NULL */
};

enum send_outcome { SEND_OK, SEND_RETRY, SEND_FAIL };

struct provider_result {
	enum send_outcome outcome;
	char provider_id[81];
	char error[161];
};

/* Delivery-report states, in the order they may follow each other: a report never
 * moves a message back to an earlier rank (duplicates and late reports are no-ops). */
enum dlr_state {
	DLR_UNKNOWN = 0,   /* a status we do not know: recorded, state unchanged */
	DLR_ACCEPTED = 1,  /* queued / buffered / submitted at the SMSC */
	DLR_DELIVERED = 3, /* final */
	DLR_FAILED = 4,    /* final: undeliverable, rejected */
	DLR_EXPIRED = 5,   /* final: the SMSC gave up */
};

struct dlr_report {
	char ref[81];         /* our client reference */
	char provider_id[81]; /* the provider's id when it sends one */
	char status[33];      /* the provider's own status word, for the record */
	enum dlr_state state;
	int blocked; /* blocked / advertising filter: opt the member out of promotional */
};

struct provider {
	const char *name; /* "kannel", "http", "twilio": also the DLR path /dlr/<name> */
	/* Fills req for msg. 0 ok, -1 with *error_r (static text) when the configuration
	 * cannot make a request (e.g. no URL). */
	int (*build)(const struct config *cfg, const struct provider_msg *msg,
	             struct provider_request *req, const char **error_r);
	/* Reads a 2xx answer. */
	void (*parse)(const struct config *cfg, long status, const char *body, size_t len,
	              struct provider_result *res);
	/* Reads a delivery report from its query/form fields. 0 ok, -1 with *error_r
	 * (static text) when the report is malformed. */
	int (*dlr)(const struct form *f, struct dlr_report *r, const char **error_r);
};

extern const struct provider provider_kannel;
extern const struct provider provider_http;
extern const struct provider provider_twilio;

/* The adapter called name, or NULL. */
const struct provider *provider_find(const char *name);

/* Classifies a finished request: curl_ok = 0 for a transport error (timeout, refused
 * connection), else the HTTP status decides; 2xx calls p->parse. */
void provider_classify(const struct provider *p, const struct config *cfg, int curl_ok, long status,
                       const char *body, size_t len, struct provider_result *res);

void provider_request_free(struct provider_request *req);

/* Appends s percent-encoded for a query string or form (RFC 3986 unreserved kept). */
void provider_urlencode(struct buf *b, const char *s);

/* The DLR URL for ref: "<public_url>/dlr/<name>?secret=...&ref=<ref>" plus extra
 * (already encoded, may be ""). Empty when outbox.public_url is not set. */
void provider_dlr_url(const struct config *cfg, const char *name, const char *ref,
                      const char *extra, struct buf *out);

/* Copies the form value name into out (NUL-terminated, at most size - 1 bytes).
 * 1 present, 0 absent; -1 too long or holding a NUL. */
int provider_form_str(const struct form *f, const char *name, char *out, size_t size);

/* Maps a status word shared by many providers ("delivered", "undelivered", "failed",
 * "expired", "rejected", "blocked", "sent", "queued", ...). */
enum dlr_state provider_status_word(const char *word, int *blocked_r);

#endif
