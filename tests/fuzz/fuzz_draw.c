/*
 * libFuzzer target: the draw export and result parsers (src/game/draw.c) on any bytes.
 * Properties checked as well: an export that parses is written back byte for byte (the
 * format is canonical), and a draw over it picks distinct members; a result that parses
 * is written back byte for byte too.
 */
#include "core/buf.h"
#include "game/draw.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A copy without a terminator, so reads past the end are caught. */
	char *in = malloc(size > 0 ? size : 1);
	char why[300];
	memcpy(in, data, size);

	struct draw_export ex;
	if (draw_export_parse(in, size, &ex, why, sizeof(why)) == 0) {
		struct buf out = BUF_INIT;
		draw_export_write(&ex, &out);
		if (out.len != size || memcmp(out.data, in, size) != 0)
			abort();
		struct draw_params p;
		memset(&p, 0, sizeof(p));
		sha256(in, size, p.export_hash);
		p.winners = 3;
		p.backups = 2;
		struct draw_result res;
		if (draw_run(&ex, &p, &res) != 0)
			abort();
		for (size_t i = 0; i < res.npicks; i++)
			for (size_t j = i + 1; j < res.npicks; j++)
				if (res.picks[i].index == res.picks[j].index)
					abort();
		draw_result_free(&res);
		buf_free(&out);
		draw_export_free(&ex);
	} else if (ex.entries != NULL || ex.n != 0 || why[0] == '\0') {
		abort();
	}

	struct draw_result r;
	if (draw_result_parse(in, size, &r, why, sizeof(why)) == 0) {
		struct buf out = BUF_INIT;
		draw_result_write(&r, &out);
		if (out.len != size || memcmp(out.data, in, size) != 0)
			abort();
		buf_free(&out);
		draw_result_free(&r);
	}
	free(in);
	return 0;
}
