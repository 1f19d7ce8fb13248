/* utf8.h: UTF-8 checks for text that comes from outside. Pure. */
#ifndef ENVSTATS_UTF8_H
#define ENVSTATS_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/*
 * True when s[0..len) is well-formed UTF-8: no overlong forms, no
 * surrogates, nothing above U+10FFFF, no truncated sequence.
 */
bool	utf8_valid(const char *s, size_t len);

/*
 * Make s[0..len) valid UTF-8 in place: every byte that does not belong to
 * a well-formed character becomes '?'. For quoting what a library said
 * about bad input (jansson's error text quotes the bytes it stopped at,
 * which can end inside a character). Returns how many bytes it replaced.
 */
size_t	utf8_scrub(char *s, size_t len);

/*
 * The largest n <= max such that s[0..n) ends on a character boundary of
 * the valid UTF-8 string s of length len (n = len when len <= max).
 */
size_t	utf8_cut(const char *s, size_t len, size_t max);

/* The length of the well-formed character at s[0..left) (left > 0), or 0
   when s does not start with one. */
size_t	utf8_char_len(const char *s, size_t left);

/* The characters (code points) of s[0..len), for aligning columns. */
size_t	utf8_chars(const char *s, size_t len);

#endif
