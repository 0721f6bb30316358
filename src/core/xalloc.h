/*
 * xalloc — allocation wrappers that abort on out-of-memory.
 *
 * gamigate treats running out of memory as fatal: the wrappers print one line and abort,
 * so callers never carry untested NULL branches. Any thread may call them.
 */
#ifndef GAMIGATE_CORE_XALLOC_H
#define GAMIGATE_CORE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Copies a NUL-terminated string; NULL stays NULL. */
char *xstrdup(const char *s);
/* Copies at most n bytes of s and terminates the copy. */
char *xstrndup(const char *s, size_t n);
/* Formats into a new string (printf rules); the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
