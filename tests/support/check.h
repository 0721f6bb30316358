/*
 * check — the smallest test harness that works: CHECK() records a failure with its
 * file:line and goes on; RUN() runs one test function; check_summary() prints
 * "N passed, N failed" (the line CI reads) and returns the exit status.
 */
#ifndef GAMIGATE_TESTS_CHECK_H
#define GAMIGATE_TESTS_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;
static int check_passed_tests;
static int check_failed_tests;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
			check_failures++;                                                          \
		}                                                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *check_a_ = (a), *check_b_ = (b);                                       \
		if (check_a_ == NULL || check_b_ == NULL || strcmp(check_a_, check_b_) != 0) {     \
			fprintf(stderr,                                                            \
			        "%s:%d: CHECK_STR failed: %s == %s\n  got:      %s\n"              \
			        "  expected: %s\n",                                                \
			        __FILE__, __LINE__, #a, #b, check_a_ ? check_a_ : "(null)",        \
			        check_b_ ? check_b_ : "(null)");                                   \
			check_failures++;                                                          \
		}                                                                                  \
	} while (0)

/* True when haystack contains needle; prints both otherwise. */
#define CHECK_CONTAINS(haystack, needle)                                                           \
	do {                                                                                       \
		const char *check_h_ = (haystack), *check_n_ = (needle);                           \
		if (check_h_ == NULL || strstr(check_h_, check_n_) == NULL) {                      \
			fprintf(stderr,                                                            \
			        "%s:%d: CHECK_CONTAINS failed\n  text: %s\n  wanted: %s\n",        \
			        __FILE__, __LINE__, check_h_ ? check_h_ : "(null)", check_n_);     \
			check_failures++;                                                          \
		}                                                                                  \
	} while (0)

#define RUN(fn)                                                                                    \
	do {                                                                                       \
		int check_before_ = check_failures;                                                \
		fn();                                                                              \
		if (check_failures == check_before_) {                                             \
			check_passed_tests++;                                                      \
			printf("ok   %s\n", #fn);                                                  \
		} else {                                                                           \
			check_failed_tests++;                                                      \
			printf("FAIL %s\n", #fn);                                                  \
		}                                                                                  \
	} while (0)

static inline int
check_summary(void)
{
	printf("%d passed, %d failed\n", check_passed_tests, check_failed_tests);
	return check_failed_tests == 0 && check_passed_tests > 0 ? 0 : 1;
}

#endif
