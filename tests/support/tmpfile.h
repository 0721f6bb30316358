/*
 * tmpfile — a temporary file holding a given text, for tests that feed files to a
 * loader and then check that messages name the file. Header-only.
 */
#ifndef GAMIGATE_TESTS_TMPFILE_H
#define GAMIGATE_TESTS_TMPFILE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct test_tmpfile {
	char path[512];
};

/* Writes text to a new file $TMPDIR/<prefix>-XXXXXX (default /tmp); the caller removes
 * it with unlink(t->path). 0 ok, -1 (reported) on failure. */
static inline int
test_tmpfile_write(struct test_tmpfile *t, const char *prefix, const char *text)
{
	const char *dir = getenv("TMPDIR");
	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	snprintf(t->path, sizeof(t->path), "%s/%s-XXXXXX", dir, prefix);
	int fd = mkstemp(t->path);
	if (fd < 0) {
		perror("mkstemp");
		return -1;
	}
	size_t len = strlen(text), off = 0;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n <= 0) {
			perror("write");
			close(fd);
			unlink(t->path);
			return -1;
		}
		off += (size_t)n;
	}
	close(fd);
	return 0;
}

#endif
