/*
 * loadgen_args — loadgen's command line: options, their checks and the usage text.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* getopt_long */
#endif
#include "loadgen.h"

/* Parses a whole decimal number in [lo, hi]; dies naming the option otherwise. */
static long
parse_long(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		die("%s: expected a whole number from %ld to %ld, got '%s'", opt, lo, hi, s);
	return v;
}

static double
parse_double(const char *opt, const char *s, double lo, double hi)
{
	char *end;
	double v;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v >= lo && v <= hi))
		die("%s: expected a number from %g to %g, got '%s'", opt, lo, hi, s);
	return v;
}

/* --mix help,points: words of letters and digits, sent upper-cased. */
static void
parse_mix(struct loadgen *lg, const char *s)
{
	size_t len = 0;
	lg->nmix = 0;
	for (const char *p = s;;) {
		const char *e = strchr(p, ',');
		size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
		if (n == 0 || n > MAX_WORD)
			die("--mix: words of 1 to %d letters or digits separated by commas, got "
			    "'%s'",
			    MAX_WORD, s);
		if (lg->nmix == MAX_MIX)
			die("--mix: at most %d words", MAX_MIX);
		for (size_t i = 0; i < n; i++) {
			char c = p[i];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9')))
				die("--mix: only letters and digits in a word, got '%s'", s);
			lg->mix[lg->nmix][i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
		}
		lg->mix[lg->nmix][n] = '\0';
		lg->nmix++;
		if (e == NULL)
			break;
		p = e + 1;
	}
	for (unsigned i = 0; i < lg->nmix; i++) {
		int w = snprintf(lg->mix_text + len, sizeof(lg->mix_text) - len, "%s%s",
		                 i ? "," : "", lg->mix[i]);
		len += (size_t)w;
	}
	for (char *p = lg->mix_text; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
}

/* Percent-encodes the secret for the Kannel query string (RFC 3986 unreserved kept). */
static void
encode_secret(struct loadgen *lg)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)lg->secret; *p; p++) {
		unsigned char c = *p;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~') {
			lg->secret_q[o++] = (char)c;
		} else {
			lg->secret_q[o++] = '%';
			lg->secret_q[o++] = hex[c >> 4];
			lg->secret_q[o++] = hex[c & 15];
		}
	}
	lg->secret_q[o] = '\0';
}

static void
usage(FILE *f)
{
	fputs(
	    "usage: loadgen --port P [--host 127.0.0.1] [--connections N] [--rate R]\n"
	    "               [--duration S] [--warmup S] [--mode json|kannel|ussd]\n"
	    "               [--mix help,points] [--secret S] [--to CODE] [--senders N]\n"
	    "       (short forms: -p -H -c -r -d -w -m -x -s -t -n)\n"
	    "\n"
	    "HTTP/1.1 load on gamigate's inbound SMS endpoints over N keep-alive connections,\n"
	    "each with at most one request in flight.\n"
	    "\n"
	    "  --port P         the daemon's TCP port (required)\n"
	    "  --host A         an IPv4 address, no name lookup (default 127.0.0.1)\n"
	    "  --connections N  connections (default 512)\n"
	    "  --rate R         requests/s, open loop: requests leave at their intended times\n"
	    "                   and latency counts from the intended time, waiting included;\n"
	    "                   0 = closed loop, as fast as the answers come (default 0)\n"
	    "  --duration S     measured seconds (default 10)\n"
	    "  --warmup S       seconds before that, reported apart (default 2)\n"
	    "  --mode M         json: POST /sms/inbound with a JSON body;\n"
	    "                   kannel: GET /sms/kannel?id=..&from=..&to=3000&text=..\n"
	    "                   ussd: POST /ussd/at (Africa's Talking form) walking\n"
	    "                   USSD sessions on --service-code: 1000 sessions side by\n"
	    "                   side, request n is the next step of session n mod 1000;\n"
	    "                   a session's steps are \"\" then each --mix answer in turn\n"
	    "                   (default json)\n"
	    "  --mix W,W..      message texts, taken in turn (default help,points); for\n"
	    "                   ussd the answers of one walk (default 98,0,7,0,4)\n"
	    "  --service-code C ussd: the code dialled (default *3001#)\n"
	    "  --secret S       json: X-Gamigate-Secret header; kannel, ussd: secret= in the\n"
	    "                   query\n"
	    "  --to CODE        json, kannel: the short code messages go to (default 3000)\n"
	    "  --senders N      json, kannel: message n comes from +98912 followed by n % N\n"
	    "                   in 7 digits, so the first N messages come from N different\n"
	    "                   numbers (a game command plays once a day); default: a random\n"
	    "                   sender among 10 million\n"
	    "  --first-sender K with --senders: message n comes from number K + n % N instead\n"
	    "                   (another run's slice of members)\n"
	    "  -h, --help       this text\n"
	    "\n"
	    "Every message has a unique id (lg-<run>-<n>) and, without --senders, a random sender\n"
	    "among 10 million (+98912xxxxxxx), so neither idempotency nor the per-number rate\n"
	    "limit is hit.\n"
	    "After the measured phase the answers in flight get at most 5 s. Output: one line\n"
	    "per phase, then `result key=value...` lines. Exit 0 when the run finished.\n",
	    f);
}

/* ------------------------------------------------------------------------- */
/* connections */

void
parse_args(struct loadgen *lg, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"port", required_argument, NULL, 'p'},
	    {"host", required_argument, NULL, 'H'},
	    {"connections", required_argument, NULL, 'c'},
	    {"rate", required_argument, NULL, 'r'},
	    {"duration", required_argument, NULL, 'd'},
	    {"warmup", required_argument, NULL, 'w'},
	    {"mode", required_argument, NULL, 'm'},
	    {"mix", required_argument, NULL, 'x'},
	    {"secret", required_argument, NULL, 's'},
	    {"to", required_argument, NULL, 't'},
	    {"senders", required_argument, NULL, 'n'},
	    {"first-sender", required_argument, NULL, 'F'},
	    {"service-code", required_argument, NULL, 'S'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int o;
	bool mix_given = false;
	const char *service_code = "*3001#";

	snprintf(lg->host, sizeof(lg->host), "127.0.0.1");
	lg->nconns = 512;
	lg->rate = 0;
	lg->duration_s = 10;
	lg->warmup_s = 2;
	lg->mode = MODE_JSON;
	parse_mix(lg, "help,points");
	snprintf(lg->to, sizeof(lg->to), "3000");
	while ((o = getopt_long(argc, argv, "p:H:c:r:d:w:m:x:s:S:t:n:F:h", opts, NULL)) != -1) {
		switch (o) {
		case 'p':
			lg->port = (unsigned)parse_long("--port", optarg, 1, 65535);
			break;
		case 'H':
			if (strlen(optarg) >= sizeof(lg->host))
				die("--host: an IPv4 address such as 127.0.0.1, got '%s'", optarg);
			snprintf(lg->host, sizeof(lg->host), "%s", optarg);
			break;
		case 'c':
			lg->nconns = (unsigned)parse_long("--connections", optarg, 1, 20000);
			break;
		case 'r':
			lg->rate = parse_double("--rate", optarg, 0, 1e7);
			break;
		case 'd':
			lg->duration_s = parse_double("--duration", optarg, 0.1, 3600);
			break;
		case 'w':
			lg->warmup_s = parse_double("--warmup", optarg, 0, 600);
			break;
		case 'm':
			if (strcmp(optarg, "json") == 0)
				lg->mode = MODE_JSON;
			else if (strcmp(optarg, "kannel") == 0)
				lg->mode = MODE_KANNEL;
			else if (strcmp(optarg, "ussd") == 0)
				lg->mode = MODE_USSD;
			else
				die("--mode: json, kannel or ussd, got '%s'", optarg);
			break;
		case 'x':
			parse_mix(lg, optarg);
			mix_given = true;
			break;
		case 'S':
			if (strlen(optarg) > 32 || strspn(optarg, "0123456789*#") != strlen(optarg))
				die("--service-code: '*', digits and '#', e.g. *3001#, got '%s'",
				    optarg);
			service_code = optarg;
			break;
		case 's':
			if (strlen(optarg) > MAX_SECRET)
				die("--secret: at most %d characters", MAX_SECRET);
			for (const char *p = optarg; *p; p++)
				if (*p <= ' ' || *p > '~')
					die("--secret: printable characters without spaces only");
			snprintf(lg->secret, sizeof(lg->secret), "%s", optarg);
			break;
		case 't':
			if (strlen(optarg) == 0 || strlen(optarg) >= sizeof(lg->to) ||
			    strspn(optarg, "0123456789") != strlen(optarg))
				die("--to: a short code of 1 to %zu digits, got '%s'",
				    sizeof(lg->to) - 1, optarg);
			snprintf(lg->to, sizeof(lg->to), "%s", optarg);
			break;
		case 'n':
			lg->senders = (unsigned)parse_long("--senders", optarg, 0, 10000000);
			break;
		case 'F':
			lg->first_sender =
			    (unsigned)parse_long("--first-sender", optarg, 0, 9999999);
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			fputs("loadgen: try --help\n", stderr);
			exit(2);
		}
	}
	if (optind < argc)
		die("unexpected argument '%s' (try --help)", argv[optind]);
	if (lg->port == 0)
		die("--port is required (try --help)");
	if (lg->first_sender > 0 &&
	    (lg->senders == 0 || lg->first_sender + lg->senders > 10000000u))
		die("--first-sender needs --senders, and K + N at most 10000000 (7 digits)");
	memset(&lg->addr, 0, sizeof(lg->addr));
	lg->addr.sin_family = AF_INET;
	lg->addr.sin_port = htons((uint16_t)lg->port);
	if (inet_pton(AF_INET, lg->host, &lg->addr.sin_addr) != 1)
		die("--host: an IPv4 address such as 127.0.0.1, got '%s'", lg->host);
	encode_secret(lg);
	if (lg->mode == MODE_USSD && !mix_given)
		parse_mix(lg, "98,0,7,0,4");
	size_t q = 0;
	for (const char *p = service_code; *p != '\0'; p++) {
		const char *enc = *p == '*' ? "%2A" : *p == '#' ? "%23" : NULL;
		if (enc != NULL) {
			memcpy(lg->service_code_q + q, enc, 3);
			q += 3;
		} else {
			lg->service_code_q[q++] = *p;
		}
	}
	lg->service_code_q[q] = '\0';
}
