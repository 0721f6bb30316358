/*
 * mockprovider — a local stand-in for an SMS provider's HTTP API for bench/reminders.sh:
 * answers every request 200 {"id":"<n>"} at once (keep-alive), and prints the number of
 * requests so far once a second ("requests N") and at SIGTERM/SIGINT. libevent only.
 *
 * usage: mockprovider PORT
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static unsigned long long requests;

static void
on_request(struct evhttp_request *req, void *arg)
{
	struct evbuffer *out = evhttp_request_get_output_buffer(req);
	(void)arg;
	requests++;
	evbuffer_add_printf(out, "{\"id\":\"%llu\"}", requests);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
	                  "application/json");
	evhttp_send_reply(req, 200, "OK", NULL);
}

static void
on_tick(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	printf("requests %llu\n", requests);
	fflush(stdout);
}

static void
on_signal(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: mockprovider PORT\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	struct event_base *base = event_base_new();
	struct evhttp *http = evhttp_new(base);
	if (evhttp_bind_socket(http, "127.0.0.1", (ev_uint16_t)strtoul(argv[1], NULL, 10)) != 0) {
		fprintf(stderr, "mockprovider: cannot listen on 127.0.0.1:%s\n", argv[1]);
		return 1;
	}
	evhttp_set_gencb(http, on_request, NULL);
	struct event *tick = event_new(base, -1, EV_PERSIST, on_tick, NULL);
	struct timeval one = {1, 0};
	event_add(tick, &one);
	struct event *term = evsignal_new(base, SIGTERM, on_signal, base);
	struct event *intr = evsignal_new(base, SIGINT, on_signal, base);
	event_add(term, NULL);
	event_add(intr, NULL);
	event_base_dispatch(base);
	printf("requests %llu\n", requests);
	event_free(tick);
	event_free(term);
	event_free(intr);
	evhttp_free(http);
	event_base_free(base);
	return 0;
}
