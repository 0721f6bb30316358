/*
 * loadgen (internal) — the generator's options and run state, shared by loadgen.c (the
 * run) and loadgen_args.c (the command line).
 */
#ifndef GAMIGATE_BENCH_LOADGEN_H
#define GAMIGATE_BENCH_LOADGEN_H

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CONNECT_WAIT_S   5     /* longest wait for the connections before starting */
#define DRAIN_S          5     /* longest wait for answers after the measured phase */
#define TICK_US          1000  /* scheduler period */
#define RECONNECT_MS     100   /* delay before reconnecting after a failed connect */
#define MAX_HEADER_BYTES 16384 /* a longer response head is a protocol error */
#define MAX_BODY_BYTES   (16u * 1024 * 1024)
#define MAX_MIX          16
#define MAX_WORD         32
#define MAX_SECRET       128
#define REQ_BUF          1024
#define NSTATUS          600

enum mode { MODE_JSON, MODE_KANNEL, MODE_USSD };

/* --mode ussd: sessions walked side by side, each step of one a request. */
#define USSD_SESSIONS 1000
enum phase { PHASE_WARMUP, PHASE_MEASURE, NPHASES };
enum rstate { RS_IDLE, RS_HEAD, RS_BODY };

/* What one phase saw. Latencies in nanoseconds, one per finished or unfinished request. */
struct phase_stats {
	uint64_t start_ns, end_ns; /* the phase's window on the monotonic clock */
	uint64_t scheduled;        /* requests due in this phase (closed loop: = sent) */
	uint64_t sent;             /* written to a connection */
	uint64_t ok;               /* answered 200 */
	uint64_t non200;           /* answered with another status */
	uint64_t errors;           /* lost: connection error or bad response while in flight */
	uint64_t unfinished;       /* neither answered nor failed when the drain ended */
	uint64_t ok_in_window;     /* 200 answers that arrived inside [start, end) */
	uint64_t status[NSTATUS];
	uint64_t *lat;
	size_t nlat, cap;
};

struct conn;

struct loadgen {
	/* options */
	struct sockaddr_in addr;
	char host[INET_ADDRSTRLEN];
	unsigned port;
	unsigned nconns;
	double rate;
	double duration_s, warmup_s;
	enum mode mode;
	char mix[MAX_MIX][MAX_WORD + 1];
	unsigned nmix;
	char mix_text[MAX_MIX * (MAX_WORD + 1)];
	char secret[MAX_SECRET + 1];
	char secret_q[3 * MAX_SECRET + 1]; /* percent-encoded for the query string */
	char to[17];                       /* the short code messages go to */
	unsigned senders;                  /* 0: random among 10 million; else n % senders */
	unsigned first_sender;             /* added to n % senders */
	char service_code_q[3 * 32 + 1];   /* ussd: the code dialled, percent-encoded */

	/* run state */
	struct event_base *base;
	struct event *tick, *hard_stop;
	struct conn *conns;
	unsigned *idle; /* stack of idle, connected connection indices */
	unsigned nidle;
	unsigned nconnected;
	unsigned inflight;
	char run_id[9];
	uint64_t rng;
	uint64_t t0, t_end, drain_deadline, connect_deadline;
	bool started, draining, done;
	uint64_t next_n; /* next request number to send (open loop: also its slot) */
	uint64_t due;    /* open loop: requests due so far */
	uint64_t max_backlog;
	uint64_t connect_failures, server_closes, reconnects;
	struct phase_stats ph[NPHASES];
};

/* Prints "loadgen: <message>" and exits with status 2. */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* calloc that aborts when memory runs out. */
void *xcalloc(size_t n, size_t size);
/* Fills lg's options from the command line; dies with a clear message on a bad one
 * (--help prints the usage and exits 0). */
void parse_args(struct loadgen *lg, int argc, char **argv);

#endif
