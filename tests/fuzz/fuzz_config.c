/*
 * libFuzzer target: the configuration reader (inih + the key table) on any bytes.
 * It must never crash, leak or read out of bounds; errors are fine.
 */
#include "core/buf.h"
#include "core/config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg = config_new();
	struct buf errors = BUF_INIT;
	FILE *fp = fmemopen((void *)data, size, "r");
	if (fp != NULL) {
		config_load_stream(cfg, fp, "fuzz.conf", &errors);
		fclose(fp);
	}
	config_finish(cfg, &errors);
	buf_free(&errors);
	config_free(cfg);
	return 0;
}
