/*
 * libFuzzer target: phone-number masking of log text on any bytes. Checks one
 * property as well: no run of 10 or more digits survives the mask.
 */
#include "core/buf.h"
#include "text/mask.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1);
	struct buf out = BUF_INIT;
	memcpy(in, data, size);
	in[size] = '\0';
	mask_phones(in, &out);
	size_t run = 0;
	for (const char *p = buf_cstr(&out); *p != '\0'; p++) {
		run = (*p >= '0' && *p <= '9') ? run + 1 : 0;
		if (run >= 10)
			abort();
	}
	buf_free(&out);
	free(in);
	return 0;
}
