/*
 * sms — how an outgoing text will travel: GSM-7 or UCS-2, how many units, how many
 * message parts (what the operator bills for).
 *
 * GSM 03.38 default alphabet characters are 1 septet, its extension table (^ { } \ [ ~ ]
 * | € and form feed) 2; one character outside both makes the whole text UCS-2, counted
 * in UTF-16 code units (a character above U+FFFF is 2). One part holds 160 septets or
 * 70 units; concatenated parts 153 or 67, and a part never splits an escaped character
 * or a surrogate pair. Persian text is therefore always UCS-2. Pure functions; any
 * thread.
 */
#ifndef GAMIGATE_TEXT_SMS_H
#define GAMIGATE_TEXT_SMS_H

enum sms_encoding {
	SMS_GSM7,
	SMS_UCS2,
};

struct sms_info {
	enum sms_encoding encoding;
	unsigned units;    /* septets for GSM-7, UTF-16 code units for UCS-2 */
	unsigned segments; /* message parts; an empty text is still 1 */
};

/* Measures a NUL-terminated UTF-8 text. Meant for valid UTF-8; an invalid byte is
 * counted as one U+FFFD (so it makes the text UCS-2) rather than trusted. */
void sms_measure(const char *utf8, struct sms_info *info_r);

/* "gsm7" or "ucs2" (for logs, metrics and the admin API). */
const char *sms_encoding_name(enum sms_encoding encoding);

#endif
