/*
 * iplist — an allow-list of IPv4/IPv6 addresses and CIDR ranges
 * ("127.0.0.1, 10.20.0.0/16, ::1"). Immutable after parsing; any thread.
 */
#ifndef GAMIGATE_CORE_IPLIST_H
#define GAMIGATE_CORE_IPLIST_H

struct iplist;

/* Parses a comma separated list. An empty list parses to NULL (= allow all) with 0.
 * -1 with *error_r (static text naming the problem) on a bad entry. */
int iplist_parse(const char *text, struct iplist **list_r, const char **error_r);
void iplist_free(struct iplist *list);
/* 1 when addr (textual IPv4 or IPv6; an IPv4-mapped IPv6 counts as IPv4) is in the
 * list, or the list is NULL; 0 otherwise (also for an unparsable addr). */
int iplist_allows(const struct iplist *list, const char *addr);

#endif
