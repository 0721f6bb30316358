/*
 * sms — GSM-7/UCS-2 choice and part counting. Pure functions; any thread.
 *
 * Two walks over the text: the first decides the encoding (any character that is not
 * GSM-7 settles it), the second sums the units and, when one part is not enough, packs
 * characters into parts greedily so that no character straddles two parts.
 */
#include "text/sms.h"

#include "text/utf8.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define GSM7_SINGLE 160
#define GSM7_PART   153
#define UCS2_SINGLE 70
#define UCS2_PART   67

/* GSM 03.38 default alphabet, by code; 0x1B is the escape to the extension table. */
static const uint16_t gsm7_basic[128] = {
    0x0040, 0x00A3, 0x0024, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC, /* @£$¥èéùì */
    0x00F2, 0x00C7, 0x000A, 0x00D8, 0x00F8, 0x000D, 0x00C5, 0x00E5, /* òÇ\nØø\rÅå */
    0x0394, 0x005F, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8, /* Δ_ΦΓΛΩΠΨ */
    0x03A3, 0x0398, 0x039E, 0xFFFF, 0x00C6, 0x00E6, 0x00DF, 0x00C9, /* ΣΘΞ ESC ÆæßÉ */
    0x0020, 0x0021, 0x0022, 0x0023, 0x00A4, 0x0025, 0x0026, 0x0027, /*  !"#¤%&' */
    0x0028, 0x0029, 0x002A, 0x002B, 0x002C, 0x002D, 0x002E, 0x002F, /* ()*+,-./ */
    0x0030, 0x0031, 0x0032, 0x0033, 0x0034, 0x0035, 0x0036, 0x0037, /* 0-7 */
    0x0038, 0x0039, 0x003A, 0x003B, 0x003C, 0x003D, 0x003E, 0x003F, /* 89:;<=>? */
    0x00A1, 0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047, /* ¡A-G */
    0x0048, 0x0049, 0x004A, 0x004B, 0x004C, 0x004D, 0x004E, 0x004F, /* H-O */
    0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057, /* P-W */
    0x0058, 0x0059, 0x005A, 0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7, /* XYZÄÖÑÜ§ */
    0x00BF, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067, /* ¿a-g */
    0x0068, 0x0069, 0x006A, 0x006B, 0x006C, 0x006D, 0x006E, 0x006F, /* h-o */
    0x0070, 0x0071, 0x0072, 0x0073, 0x0074, 0x0075, 0x0076, 0x0077, /* p-w */
    0x0078, 0x0079, 0x007A, 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0, /* xyzäöñüà */
};

/* Characters reached through the escape: two septets each. */
static const uint16_t gsm7_extension[] = {
    0x000C, 0x005E, 0x007B, 0x007D, 0x005C, 0x005B, 0x007E, 0x005D, 0x007C, 0x20AC,
};

/* Septets for cp in GSM-7: 1, 2, or 0 when GSM-7 cannot carry it. */
static unsigned
gsm7_width(uint32_t cp)
{
	/* Letters, digits and space are all in the basic table: most text never scans it. */
	if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
	    cp == ' ')
		return 1;
	for (size_t i = 0; i < sizeof(gsm7_basic) / sizeof(gsm7_basic[0]); i++) {
		if (gsm7_basic[i] == cp)
			return 1;
	}
	for (size_t i = 0; i < sizeof(gsm7_extension) / sizeof(gsm7_extension[0]); i++) {
		if (gsm7_extension[i] == cp)
			return 2;
	}
	return 0;
}

/* Decodes the next character; an invalid byte is skipped and reported as U+FFFD. */
static uint32_t
next_char(const char *s, size_t len, size_t *pos)
{
	uint32_t cp;
	if (utf8_decode(s, len, pos, &cp) == 0)
		return cp;
	(*pos)++;
	return 0xFFFD;
}

void
sms_measure(const char *utf8, struct sms_info *info_r)
{
	size_t len = strlen(utf8), pos = 0;
	enum sms_encoding enc = SMS_GSM7;
	while (pos < len && enc == SMS_GSM7) {
		if (gsm7_width(next_char(utf8, len, &pos)) == 0)
			enc = SMS_UCS2;
	}

	unsigned single = enc == SMS_GSM7 ? GSM7_SINGLE : UCS2_SINGLE;
	unsigned part = enc == SMS_GSM7 ? GSM7_PART : UCS2_PART;
	unsigned units = 0, segments = 1, fill = 0;
	for (pos = 0; pos < len;) {
		uint32_t cp = next_char(utf8, len, &pos);
		unsigned w = enc == SMS_GSM7 ? gsm7_width(cp) : (cp > 0xFFFF ? 2u : 1u);
		units += w;
		/* Parts as they would be cut if the text turns out to need more than one. */
		if (fill + w > part) {
			segments++;
			fill = 0;
		}
		fill += w;
	}
	info_r->encoding = enc;
	info_r->units = units;
	info_r->segments = units <= single ? 1 : segments;
}

const char *
sms_encoding_name(enum sms_encoding encoding)
{
	return encoding == SMS_UCS2 ? "ucs2" : "gsm7";
}
