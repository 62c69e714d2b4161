/* Tests for cfgedit: a deployment's model rewritten in place in its config file (plain, quoted,
 * flow style, without a prefix, through a symlink), every other byte kept, a backup written
 * first; refused when the file changed on disk, cannot be written, or the name is not a model
 * id. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/cfgedit.h"
#include "config/config.h"

static char dir[PATH_MAX];

static int make_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/sb-cfgedit.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int drop_dir(void **state)
{
    (void)state;
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_text(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    chmod(path, mode);
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strdup(buf);
}

static struct config *load(const char *path)
{
    char err[CONFIG_ERR_LEN];
    struct config *c = config_load(path, NULL, NULL, err);
    if (!c)
        fail_msg("%s", err);
    return c;
}

static const char seed[] = "# my setup\n"
                           "model_list:\n"
                           "  # Cerebras first\n"
                           "  - model_name: glm-4.6\n"
                           "    litellm_params:\n"
                           "      model: cerebras/zai-glm-4.6   # retired 2026-01-20\n"
                           "      api_key: os.environ/CEREBRAS_API_KEY\n"
                           "  - model_name: zai\n"
                           "    litellm_params:\n"
                           "      model: \"anthropic/glm-4.6\"\n"
                           "      api_base: https://api.z.ai/api/anthropic\n"
                           "  - model_name: flow\n"
                           "    litellm_params: {model: openai/old-model, api_key: x}\n"
                           "  - model_name: bare\n"
                           "    litellm_params:\n"
                           "      custom_llm_provider: cerebras\n"
                           "      model: zai-glm-4.7\n"
                           "router_settings:\n"
                           "  fallbacks: [{\"glm-4.6\": [\"zai\"]}]\n";

static void test_cfgedit_rewrites_in_place(void **state)
{
    (void)state;
    char path[PATH_MAX + 16], bak[PATH_MAX + 32], err[512];
    snprintf(path, sizeof path, "%s/config.yaml", dir);
    write_text(path, seed, 0640);
    struct config *c = load(path);
    assert_int_equal(c->deps[0].model_line, 6);
    assert_int_equal(c->deps[0].model_col, 14);
    assert_true(c->deps[0].model_plain);
    assert_string_equal(c->deps[0].model_written, "cerebras/zai-glm-4.6");

    assert_int_equal(
        cfgedit_set_model(c, "cerebras/glm-4.6", "gpt-oss-120b", bak, sizeof bak, err, sizeof err),
        0);
    char *now = read_text(path), *back = read_text(bak);
    assert_string_equal(back, seed);
    char want[sizeof seed + 64];
    snprintf(want, sizeof want, "%s", seed);
    char *at = strstr(want, "cerebras/zai-glm-4.6");
    memmove(at + strlen("cerebras/gpt-oss-120b"), at + strlen("cerebras/zai-glm-4.6"),
            strlen(at + strlen("cerebras/zai-glm-4.6")) + 1);
    memcpy(at, "cerebras/gpt-oss-120b", strlen("cerebras/gpt-oss-120b"));
    assert_string_equal(now, want); /* the comment after the value and every other byte kept */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    assert_int_equal(stat(bak, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    free(now);
    free(back);
    config_free(c);

    /* the others: quoted, flow style, no prefix; each edit on the file as it is now */
    static const struct {
        const char *id, *model, *expect;
    } cases[] = {
        {"zai", "glm-5.2", "      model: \"anthropic/glm-5.2\"\n"},
        {"openai", "new-model", "    litellm_params: {model: openai/new-model, api_key: x}\n"},
        {"cerebras/bare", "gpt-oss-120b", "      model: gpt-oss-120b\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        c = load(path);
        if (cfgedit_set_model(c, cases[i].id, cases[i].model, NULL, 0, err, sizeof err) != 0)
            fail_msg("%s: %s", cases[i].id, err);
        config_free(c);
        now = read_text(path);
        assert_non_null(strstr(now, cases[i].expect));
        free(now);
    }
    c = load(path); /* and the result still loads, with the new models */
    assert_string_equal(c->deps[0].model, "gpt-oss-120b");
    assert_string_equal(c->deps[1].model, "glm-5.2");
    assert_string_equal(c->deps[2].model, "new-model");
    assert_string_equal(c->deps[3].model, "gpt-oss-120b");
    config_free(c);
}

static void test_cfgedit_refusals(void **state)
{
    (void)state;
    char path[PATH_MAX + 16], err[512];
    snprintf(path, sizeof path, "%s/refuse.yaml", dir);
    write_text(path, seed, 0644);
    struct config *c = load(path);
    assert_int_equal(cfgedit_set_model(c, "nobody", "x", NULL, 0, err, sizeof err), -ENOENT);
    assert_int_equal(
        cfgedit_set_model(c, "cerebras/glm-4.6", "two words", NULL, 0, err, sizeof err), -EINVAL);
    assert_non_null(strstr(err, "is not a model id"));
    assert_int_equal(
        cfgedit_set_model(c, "cerebras/glm-4.6", "x\n# injected", NULL, 0, err, sizeof err),
        -EINVAL);
    /* someone edited the file meanwhile: their edit wins */
    FILE *f = fopen(path, "a");
    fputs("# a line added by hand\n", f);
    fclose(f);
    assert_int_equal(
        cfgedit_set_model(c, "cerebras/glm-4.6", "gpt-oss-120b", NULL, 0, err, sizeof err),
        -ESTALE);
    assert_non_null(strstr(err, "changed on disk since it was loaded"));
    char *now = read_text(path);
    assert_non_null(strstr(now, "cerebras/zai-glm-4.6"));
    free(now);
    config_free(c);
    /* a config from a string has no file to write */
    char cerr[CONFIG_ERR_LEN];
    c = config_parse(seed, strlen(seed), "inline", NULL, NULL, cerr);
    assert_non_null(c);
    assert_int_equal(
        cfgedit_set_model(c, "cerebras/glm-4.6", "gpt-oss-120b", NULL, 0, err, sizeof err),
        -EINVAL);
    config_free(c);
}

/* A file the user running switchboard may not write: refused before anything is touched. As
 * root (who may write anything) the check runs in a child that became nobody. */
static void test_cfgedit_not_writable(void **state)
{
    (void)state;
    char path[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/ro.yaml", dir);
    write_text(path, seed, 0644);
    chmod(dir, 0755);
    struct config *c = load(path);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        char err[512] = "";
        if (geteuid() == 0 && setuid(65534) != 0)
            _exit(3);
        if (geteuid() != 0)
            chmod(path, 0444); /* no-op for nobody, who does not own it */
        int rc = cfgedit_set_model(c, "cerebras/glm-4.6", "gpt-oss-120b", NULL, 0, err, sizeof err);
        if (write(fds[1], err, strlen(err) + 1) < 0)
            _exit(4);
        _exit(rc == -EACCES ? 0 : 1);
    }
    close(fds[1]);
    char msg[512] = "";
    ssize_t n = read(fds[0], msg, sizeof msg - 1);
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    assert_true(n > 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("not refused: %s", msg);
    assert_non_null(strstr(msg, "is not writable"));
    char *now = read_text(path);
    assert_string_equal(now, seed);
    free(now);
    config_free(c);
}

/* Through a symlink: the target is rewritten and the link stays a link. */
static void test_cfgedit_symlink(void **state)
{
    (void)state;
    char target[PATH_MAX + 16], link[PATH_MAX + 16], err[512];
    snprintf(target, sizeof target, "%s/real.yaml", dir);
    snprintf(link, sizeof link, "%s/link.yaml", dir);
    write_text(target, seed, 0644);
    assert_int_equal(symlink(target, link), 0);
    struct config *c = load(link);
    assert_int_equal(
        cfgedit_set_model(c, "cerebras/glm-4.6", "gpt-oss-120b", NULL, 0, err, sizeof err), 0);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    char *now = read_text(target);
    assert_non_null(strstr(now, "model: cerebras/gpt-oss-120b   # retired"));
    free(now);
    char line[128];
    cfgedit_model_line(&c->deps[0], "gemma-4-31b", line, sizeof line);
    assert_string_equal(line, "model: cerebras/gemma-4-31b");
    cfgedit_model_line(&c->deps[3], "gemma-4-31b", line, sizeof line);
    assert_string_equal(line, "model: gemma-4-31b");
    config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cfgedit_rewrites_in_place),
        cmocka_unit_test(test_cfgedit_refusals),
        cmocka_unit_test(test_cfgedit_not_writable),
        cmocka_unit_test(test_cfgedit_symlink),
    };
    return cmocka_run_group_tests(tests, make_dir, drop_dir);
}
