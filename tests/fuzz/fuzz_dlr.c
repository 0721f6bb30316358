/*
 * libFuzzer target: delivery-report parsing (http/dlr.c and the adapters' dlr
 * functions) on any bytes. The first byte picks the adapter (its value mod 3: kannel, http, twilio;
 * "0", "1", "2" in the seeds), the rest is "query\nform body". Checks: an accepted report has a
 * non-empty reference without control bytes and one of the internal states.
 */
#include "http/dlr.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const adapters[] = {"kannel", "http", "twilio"};
	if (size < 1)
		return 0;
	const char *adapter = adapters[data[0] % 3];
	char *in = malloc(size);
	memcpy(in, data + 1, size - 1);
	in[size - 1] = '\0';
	char *body = memchr(in, '\n', size - 1);
	size_t body_len = 0;
	if (body != NULL) {
		*body++ = '\0';
		body_len = size - 1 - (size_t)(body - in);
	}
	struct dlr_report r;
	const char *why = NULL;
	if (dlr_parse(adapter, in, body, body_len, &r, &why) == 0) {
		size_t n = strnlen(r.ref, sizeof(r.ref));
		if (n == 0 || n >= sizeof(r.ref))
			abort();
		if (r.state != DLR_UNKNOWN && r.state != DLR_ACCEPTED && r.state != DLR_DELIVERED &&
		    r.state != DLR_FAILED && r.state != DLR_EXPIRED)
			abort();
		if (strnlen(r.status, sizeof(r.status)) >= sizeof(r.status))
			abort();
	} else if (why == NULL) {
		abort();
	}
	free(in);
	return 0;
}
