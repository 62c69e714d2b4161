/* Unit tests for the request log's --log-bodies lines: bodies present, cut at the limit with a
 * mark, invalid UTF-8 made safe so that every line stays valid JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>
#include <cmocka.h>

#include "front/reqlog.h"

struct tmp {
    char path[64];
};

static void tmp_path(struct tmp *t)
{
    snprintf(t->path, sizeof t->path, "/tmp/sb_reqlog_test_%d.log", (int)getpid());
    unlink(t->path);
}

/* Reads line n (from 0) of the file and parses it. */
static cJSON *read_line(const char *path, int n)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t cap = 0;
    char *line = NULL;
    ssize_t len = -1;
    for (int i = 0; i <= n; i++)
        len = getline(&line, &cap, f);
    fclose(f);
    assert_true(len > 0);
    cJSON *o = cJSON_ParseWithLength(line, (size_t)len);
    free(line);
    assert_non_null(o);
    return o;
}

static struct request_rec sample_rec(void)
{
    struct request_rec r;
    memset(&r, 0, sizeof r);
    r.id = 7;
    r.wall_ms = 1700000000000;
    r.client_api = API_ANTHROPIC;
    r.status = 200;
    snprintf(r.model, sizeof r.model, "glm-4.6");
    snprintf(r.served_by, sizeof r.served_by, "cerebras");
    return r;
}

static void test_bodies_logged(void **state)
{
    struct tmp t;
    tmp_path(&t);
    struct reqlog *l = reqlog_open(t.path, NULL, 0);
    assert_non_null(l);
    struct request_rec r = sample_rec();
    const char req[] = "{\"model\":\"glm-4.6\",\"messages\":[]}";
    const char resp[] = "data: {\"x\":1}\n\n";
    reqlog_write_bodies(l, &r, req, strlen(req), resp, strlen(resp));
    reqlog_write(l, &r);
    reqlog_close(l);
    cJSON *o = read_line(t.path, 0);
    assert_string_equal(cJSON_GetObjectItem(o, "request_body")->valuestring, req);
    assert_string_equal(cJSON_GetObjectItem(o, "response_body")->valuestring, resp);
    assert_null(cJSON_GetObjectItem(o, "request_body_truncated"));
    assert_int_equal(cJSON_GetObjectItem(o, "id")->valueint, 7);
    cJSON_Delete(o);
    o = read_line(t.path, 1); /* the plain line has no bodies */
    assert_null(cJSON_GetObjectItem(o, "request_body"));
    cJSON_Delete(o);
    unlink(t.path);
}

static void test_bodies_cut_and_sanitised(void **state)
{
    struct tmp t;
    tmp_path(&t);
    struct reqlog *l = reqlog_open(t.path, NULL, 0);
    assert_non_null(l);
    struct request_rec r = sample_rec();
    size_t n = REQLOG_BODY_MAX + 5000;
    char *big = malloc(n);
    memset(big, 'a', n);
    /* a 3-byte character straddling the cut, and invalid bytes inside */
    memcpy(big + REQLOG_BODY_MAX - 1, "\xe2\x82\xac", 3);
    memcpy(big + 10, "\xff\xfe\x00\xc0\xaf", 5);
    reqlog_write_bodies(l, &r, big, n, NULL, 0);
    reqlog_close(l);
    cJSON *o = read_line(t.path, 0);
    const char *b = cJSON_GetObjectItem(o, "request_body")->valuestring;
    assert_int_equal(strlen(b), REQLOG_BODY_MAX);
    assert_memory_equal(b + 10, "?????", 5);
    assert_int_equal(b[REQLOG_BODY_MAX - 1], '?');
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "request_body_truncated")));
    assert_null(cJSON_GetObjectItem(o, "response_body"));
    cJSON_Delete(o);
    free(big);
    unlink(t.path);
}

static void test_valid_multibyte_kept(void **state)
{
    struct tmp t;
    tmp_path(&t);
    struct reqlog *l = reqlog_open(t.path, NULL, 0);
    assert_non_null(l);
    struct request_rec r = sample_rec();
    const char text[] = "caf\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80";
    reqlog_write_bodies(l, &r, text, strlen(text), text, strlen(text));
    reqlog_close(l);
    cJSON *o = read_line(t.path, 0);
    assert_string_equal(cJSON_GetObjectItem(o, "request_body")->valuestring, text);
    assert_string_equal(cJSON_GetObjectItem(o, "response_body")->valuestring, text);
    cJSON_Delete(o);
    unlink(t.path);
}

static mode_t file_mode(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 0777;
}

/* 0600 whatever the umask; an existing 0644 file is made 0600 and the note says so. */
static void test_log_file_private(void **state)
{
    (void)state;
    struct tmp t;
    char note[256] = "x";
    tmp_path(&t);
    mode_t old = umask(022);
    struct reqlog *l = reqlog_open(t.path, note, sizeof note);
    assert_non_null(l);
    reqlog_close(l);
    assert_int_equal(file_mode(t.path), 0600);
    assert_string_equal(note, "");
    assert_int_equal(chmod(t.path, 0644), 0);
    l = reqlog_open(t.path, note, sizeof note);
    assert_non_null(l);
    reqlog_close(l);
    assert_int_equal(file_mode(t.path), 0600);
    assert_non_null(strstr(note, "readable by other users (mode 644); it is now 600"));
    umask(old);
    unlink(t.path);
}

/* A model name and an error text with terminal escapes (OSC retitle, clear screen, a C1 CSI,
 * DEL) and an invalid byte: the line has none of those bytes raw and still parses, to the
 * same text where it was valid UTF-8. */
static void test_control_bytes_escaped(void **state)
{
    (void)state;
    struct tmp t;
    tmp_path(&t);
    struct reqlog *l = reqlog_open(t.path, NULL, 0);
    assert_non_null(l);
    struct request_rec r = sample_rec();
    snprintf(r.model, sizeof r.model,
             "m\x1b]0;owned\x07\x1b[2J\xc2\x9b"
             "6n\x7f");
    snprintf(r.error, sizeof r.error, "bad \x9b byte\r");
    reqlog_write(l, &r);
    reqlog_event(l, "refused", "Origin '\x1b]0;x\x07'");
    reqlog_close(l);
    FILE *f = fopen(t.path, "rb");
    assert_non_null(f);
    char buf[4096];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)buf[i];
        if ((c < 0x20 && c != '\n') || c == 0x7f || c == 0x9b)
            fail_msg("raw control byte 0x%02x at %zu: %.*s", c, i, (int)n, buf);
    }
    cJSON *o = read_line(t.path, 0);
    assert_string_equal(cJSON_GetObjectItem(o, "model")->valuestring, r.model);
    assert_string_equal(cJSON_GetObjectItem(o, "error")->valuestring, "bad \xef\xbf\xbd byte\r");
    cJSON_Delete(o);
    o = read_line(t.path, 1);
    assert_string_equal(cJSON_GetObjectItem(o, "msg")->valuestring, "Origin '\x1b]0;x\x07'");
    cJSON_Delete(o);
    unlink(t.path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bodies_logged),
        cmocka_unit_test(test_bodies_cut_and_sanitised),
        cmocka_unit_test(test_valid_multibyte_kept),
        cmocka_unit_test(test_log_file_private),
        cmocka_unit_test(test_control_bytes_escaped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
