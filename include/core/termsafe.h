/* termsafe: text from clients and providers (model names, error messages, header values)
 * made safe to put in front of a terminal. A byte a terminal acts on (ESC starting "]0;title"
 * or "[2J", a C1 CSI, a bare carriage return) becomes a visible escape instead, as the
 * dashboard's curses already shows them. Pure, thread-safe. */
#ifndef SB_TERMSAFE_H
#define SB_TERMSAFE_H

#include <stddef.h>

/* Copies s into out (cap > 0 bytes, always terminated) for a line of plain text: C0
 * controls, tab included, and DEL become \xHH; C1 controls (U+0080-U+009F) become \u00HH;
 * bytes that are not UTF-8 become \xHH (a lone 0x9B is CSI on 8-bit terminals). Other UTF-8
 * passes unchanged; the copy is cut before a character that does not fit. Returns out. */
char *termsafe_line(const char *s, char *out, size_t cap);
/* For a JSON text as cJSON prints it (it escapes C0 in strings itself): raw C0, DEL and C1
 * controls become \u00HH escapes and bytes that are not UTF-8 become \ufffd, so the line stays
 * valid JSON, decodes to the same text where that text was valid, and commands no terminal
 * that shows it (tail -f). Returns a new string (caller frees) or NULL when out of memory. */
char *termsafe_json(const char *json);

#endif
