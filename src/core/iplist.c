/*
 * iplist — IPv4/IPv6 allow-lists. Any thread.
 */
#include "core/iplist.h"
#include "core/xalloc.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#define IPLIST_MAX 64

struct ip_range {
	int v6;
	unsigned char addr[16];
	unsigned prefix;
};

struct iplist {
	struct ip_range r[IPLIST_MAX];
	size_t n;
};

/* Parses an address into 16 bytes; IPv4 (and IPv4-mapped IPv6) give v6 = 0 with the
 * address in the first 4 bytes. 0 ok, -1 bad. */
static int
parse_addr(const char *s, int *v6_r, unsigned char out[16])
{
	memset(out, 0, 16);
	if (inet_pton(AF_INET, s, out) == 1) {
		*v6_r = 0;
		return 0;
	}
	unsigned char a6[16];
	if (inet_pton(AF_INET6, s, a6) != 1)
		return -1;
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (memcmp(a6, mapped, 12) == 0) {
		memcpy(out, a6 + 12, 4);
		*v6_r = 0;
		return 0;
	}
	memcpy(out, a6, 16);
	*v6_r = 1;
	return 0;
}

int
iplist_parse(const char *text, struct iplist **list_r, const char **error_r)
{
	struct iplist *l = xcalloc(1, sizeof(*l));
	const char *p = text;

	*list_r = NULL;
	while (*p != '\0') {
		char item[80];
		const char *comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
		while (len > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			len--;
		}
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0 || len >= sizeof(item)) {
			*error_r = len == 0 ? "empty entry in the address list"
			                    : "address list entry too long";
			goto fail;
		}
		if (l->n == IPLIST_MAX) {
			*error_r = "more than 64 entries in the address list";
			goto fail;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		struct ip_range *r = &l->r[l->n];
		char *slash = strchr(item, '/');
		if (slash != NULL)
			*slash = '\0';
		if (parse_addr(item, &r->v6, r->addr) < 0) {
			*error_r = "not an IPv4 or IPv6 address";
			goto fail;
		}
		unsigned max = r->v6 ? 128 : 32;
		r->prefix = max;
		if (slash != NULL) {
			char *end;
			long pl = strtol(slash + 1, &end, 10);
			if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || pl < 0 ||
			    (unsigned long)pl > max) {
				*error_r = "bad prefix length after '/'";
				goto fail;
			}
			r->prefix = (unsigned)pl;
		}
		l->n++;
		p += (comma != NULL ? (size_t)(comma - p) + 1 : strlen(p));
		if (comma != NULL && *p == '\0') {
			*error_r = "empty entry in the address list";
			goto fail;
		}
	}
	if (l->n == 0) {
		free(l);
		return 0;
	}
	*list_r = l;
	return 0;
fail:
	free(l);
	return -1;
}

void
iplist_free(struct iplist *list)
{
	free(list);
}

int
iplist_allows(const struct iplist *list, const char *addr)
{
	unsigned char a[16];
	int v6;

	if (list == NULL)
		return 1;
	if (addr == NULL || parse_addr(addr, &v6, a) < 0)
		return 0;
	for (size_t i = 0; i < list->n; i++) {
		const struct ip_range *r = &list->r[i];
		if (r->v6 != v6)
			continue;
		unsigned full = r->prefix / 8, rest = r->prefix % 8;
		if (memcmp(r->addr, a, full) != 0)
			continue;
		if (rest != 0) {
			unsigned char mask = (unsigned char)(0xff << (8 - rest));
			if ((r->addr[full] & mask) != (a[full] & mask))
				continue;
		}
		return 1;
	}
	return 0;
}
