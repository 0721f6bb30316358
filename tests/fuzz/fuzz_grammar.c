/*
 * libFuzzer target: the inbound text path — grammar_match on any bytes, and on the same
 * bytes after text_normalize (what the daemon does) — against the shipped
 * conf/grammar.json (loaded once). It must never crash, read out of bounds or leak, and what it
 * fills in must hold together: a command for OK and BAD_ARGS, none for UNKNOWN, terminated strings,
 * at most ROUTE_MAX_ARGS arguments.
 */
#include "route/grammar.h"
#include "text/normalize.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef GAMIGATE_GRAMMAR_JSON
#error "GAMIGATE_GRAMMAR_JSON must name conf/grammar.json (set by tests/fuzz/CMakeLists.txt)"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct grammar *grammar;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct buf errors = BUF_INIT;
	(void)argc;
	(void)argv;
	grammar = grammar_load(GAMIGATE_GRAMMAR_JSON, &errors);
	if (grammar == NULL) {
		fprintf(stderr, "cannot load %s:\n%s", GAMIGATE_GRAMMAR_JSON, buf_cstr(&errors));
		abort();
	}
	buf_free(&errors);
	return 0;
}

/* Aborts unless what grammar_match filled in holds together. */
static void
check_match(const struct route_match *m)
{
	if ((m->status == ROUTE_UNKNOWN) != (m->command == NULL))
		abort();
	if (m->nargs > ROUTE_MAX_ARGS || (m->status != ROUTE_OK && m->nargs != 0))
		abort();
	for (unsigned i = 0; i < m->nargs; i++) {
		if (memchr(m->args[i].name, '\0', sizeof(m->args[i].name)) == NULL ||
		    memchr(m->args[i].value, '\0', sizeof(m->args[i].value)) == NULL)
			abort();
	}
	if (memchr(m->suggestion, '\0', sizeof(m->suggestion)) == NULL ||
	    (m->suggestion[0] != '\0') != (m->suggestion_command != NULL))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct route_match m;
	struct buf norm = BUF_INIT;
	const char *why = NULL;
	/* A copy of exactly size bytes, so that reading past the end is caught. */
	char *text = malloc(size != 0 ? size : 1);
	if (size != 0)
		memcpy(text, data, size);
	grammar_match(grammar, text, size, &m);
	check_match(&m);
	if (text_normalize(text, size, &norm, &why) == 0) {
		grammar_match(grammar, buf_cstr(&norm), norm.len, &m);
		check_match(&m);
	}
	buf_free(&norm);
	free(text);
	return 0;
}
