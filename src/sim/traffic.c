/* traffic: the demo's load generator. A pacer thread sends one request at a time, like a
 * person working in Claude Code, and now and then a burst of parallel sub-agent requests on
 * short-lived worker threads. Everything goes through switchboard's real front door over
 * loopback; every wait and every transfer gives up as soon as traffic_stop is called. */
#include "sim/traffic.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cJSON.h>
#include <curl/curl.h>

#include "core/clock.h"

#define MAX_BURST    5
#define CONNECT_MS   2000L
#define TRANSFER_MS  45000L
#define MIN_GAP_MS   1500
#define MAX_GAP_MS   4000
#define SONNET       "claude-sonnet-4-5-20250929"
#define HAIKU        "claude-3-5-haiku-20241022"
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct traffic {
    char url[256];
    char auth[320]; /* "Authorization: Bearer ..." or "" */
    pthread_t pacer;
    pthread_mutex_t mu; /* with cv: lets traffic_stop cut a pause short */
    pthread_cond_t cv;
    atomic_bool stop;
    atomic_bool on;
    atomic_long sent, ok, failed;
    unsigned seed; /* pacer thread only */
};

struct burst_job {
    struct traffic *t;
    pthread_t thr;
    unsigned seed;
    bool started;
};

static const char *const prompts[] = {
    "Explain what the function parse_config in src/config.c does and where it is called.",
    "Why does the test in tests/unit/test_router.c fail after my last change?",
    "Refactor the retry loop in src/proxy.c so the backoff is easier to read.",
    "Write a docstring for the public functions in include/buf.h.",
    "What is the difference between a cooldown and a disabled provider here?",
    "Summarise the last three commits in one paragraph for the changelog.",
    "Suggest a better name for the variable `tmp2` in src/upstream.c and explain why.",
};

static const char *const tool_prompts[] = {
    "Use the Bash tool to list the files in src/ and tell me which is the largest.",
    "Use the Read tool to open README.md and check the build instructions.",
    "Run the unit tests with the Bash tool and report any failure.",
};

static const char *const agent_prompts[] = {
    "Explore: find every place that reads the environment variable HOME.",
    "Explore: list the modules that include curl.h and what each uses it for.",
    "Explore: find the tests that cover streaming and summarise what they check.",
    "Explore: look for TODO comments and group them by file.",
    "Explore: find where request bodies are size-capped.",
};

static const char claude_system[] =
    "You are an interactive CLI tool that helps users with software engineering tasks. Use "
    "the instructions below and the tools available to you to assist the user. Be concise: "
    "answer in fewer than four lines unless the user asks for detail.";

static int pick(unsigned *seed, int n)
{
    return n > 0 ? rand_r(seed) % n : 0;
}

/* ---- bodies ---- */

static cJSON *text_block(const char *text, bool cache)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "type", "text");
    cJSON_AddStringToObject(b, "text", text);
    if (cache)
        cJSON_AddStringToObject(cJSON_AddObjectToObject(b, "cache_control"), "type", "ephemeral");
    return b;
}

static cJSON *tool(const char *name, const char *desc, const char *prop, const char *prop_desc)
{
    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "name", name);
    cJSON_AddStringToObject(t, "description", desc);
    cJSON *s = cJSON_AddObjectToObject(t, "input_schema");
    cJSON_AddStringToObject(s, "type", "object");
    cJSON *p = cJSON_AddObjectToObject(cJSON_AddObjectToObject(s, "properties"), prop);
    cJSON_AddStringToObject(p, "type", "string");
    cJSON_AddStringToObject(p, "description", prop_desc);
    cJSON_AddItemToObject(s, "required", cJSON_CreateStringArray(&prop, 1));
    cJSON_AddBoolToObject(s, "additionalProperties", 0);
    return t;
}

static void add_tools(cJSON *body)
{
    cJSON *tools = cJSON_AddArrayToObject(body, "tools");
    cJSON_AddItemToArray(tools, tool("Bash", "Executes a bash command and returns its output.",
                                     "command", "The command to execute"));
    cJSON_AddItemToArray(tools, tool("Read", "Reads a file from the local filesystem.", "file_path",
                                     "The absolute path to the file to read"));
}

/* The outline of a Claude Code request: system blocks, metadata, a big output budget. */
static cJSON *anthropic_body(const char *model, const char *system, bool stream)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "model", model);
    cJSON_AddArrayToObject(b, "messages");
    cJSON *sys = cJSON_AddArrayToObject(b, "system");
    cJSON_AddItemToArray(sys, text_block("You are Claude Code, Anthropic's official CLI for "
                                         "Claude.",
                                         true));
    cJSON_AddItemToArray(sys, text_block(system, true));
    cJSON_AddStringToObject(cJSON_AddObjectToObject(b, "metadata"), "user_id", "switchboard-demo");
    cJSON_AddNumberToObject(b, "max_tokens", stream ? 32000 : 512);
    cJSON_AddBoolToObject(b, "stream", stream);
    return b;
}

static void add_user_text(cJSON *body, const char *text)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "role", "user");
    cJSON *content = cJSON_AddArrayToObject(m, "content");
    cJSON_AddItemToArray(content, text_block("<system-reminder>The user is working in a "
                                             "C project.</system-reminder>",
                                             false));
    cJSON_AddItemToArray(content, text_block(text, false));
    cJSON_AddItemToArray(cJSON_GetObjectItem(body, "messages"), m);
}

/* A finished tool round trip: the assistant called Bash, the result comes back. */
static void add_tool_round(cJSON *body, const char *prompt)
{
    cJSON *msgs = cJSON_GetObjectItem(body, "messages");
    add_user_text(body, prompt);
    cJSON *a = cJSON_CreateObject();
    cJSON_AddStringToObject(a, "role", "assistant");
    cJSON *ac = cJSON_AddArrayToObject(a, "content");
    cJSON_AddItemToArray(ac, text_block("I'll look at the files first.", false));
    cJSON *use = cJSON_CreateObject();
    cJSON_AddStringToObject(use, "type", "tool_use");
    cJSON_AddStringToObject(use, "id", "toolu_01DemoListFiles");
    cJSON_AddStringToObject(use, "name", "Bash");
    cJSON_AddStringToObject(cJSON_AddObjectToObject(use, "input"), "command", "ls -la src");
    cJSON_AddItemToArray(ac, use);
    cJSON_AddItemToArray(msgs, a);
    cJSON *u = cJSON_CreateObject();
    cJSON_AddStringToObject(u, "role", "user");
    cJSON *res = cJSON_CreateObject();
    cJSON_AddStringToObject(res, "type", "tool_result");
    cJSON_AddStringToObject(res, "tool_use_id", "toolu_01DemoListFiles");
    cJSON_AddStringToObject(res, "content", "app.c\nconfig.c\nmain.c\nproxy.c\nrouter.c\n");
    cJSON_AddItemToArray(cJSON_AddArrayToObject(u, "content"), res);
    cJSON_AddItemToArray(msgs, u);
}

static cJSON *openai_body(const char *prompt, bool stream)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "model", "glm-4.6");
    cJSON *msgs = cJSON_AddArrayToObject(b, "messages");
    cJSON *s = cJSON_CreateObject();
    cJSON_AddStringToObject(s, "role", "system");
    cJSON_AddStringToObject(s, "content", "You are a helpful coding assistant.");
    cJSON_AddItemToArray(msgs, s);
    cJSON *u = cJSON_CreateObject();
    cJSON_AddStringToObject(u, "role", "user");
    cJSON_AddStringToObject(u, "content", prompt);
    cJSON_AddItemToArray(msgs, u);
    cJSON_AddNumberToObject(b, "max_tokens", 1024);
    cJSON_AddBoolToObject(b, "stream", stream);
    if (stream)
        cJSON_AddBoolToObject(cJSON_AddObjectToObject(b, "stream_options"), "include_usage", 1);
    return b;
}

/* ---- sending ---- */

static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt, (void)dn, (void)ut, (void)un;
    struct traffic *t = ud;
    return atomic_load(&t->stop) ? 1 : 0;
}

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
    (void)p, (void)ud;
    return size * n;
}

static struct curl_slist *headers_for(const struct traffic *t, bool anthropic)
{
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:"); /* no 100-continue round trip */
    h = curl_slist_append(h, "User-Agent: switchboard-demo-traffic/" SB_VERSION);
    if (anthropic) {
        h = curl_slist_append(h, "anthropic-version: 2023-06-01");
        h = curl_slist_append(h, "anthropic-beta: claude-code-20250219");
        h = curl_slist_append(h, "x-app: cli");
    }
    if (t->auth[0])
        h = curl_slist_append(h, t->auth);
    return h;
}

/* Posts body (taken) to path and counts the outcome. */
static void post(struct traffic *t, const char *path, cJSON *body, bool anthropic)
{
    char url[320];
    char *json = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    CURL *h = json ? curl_easy_init() : NULL;
    struct curl_slist *hdrs = h ? headers_for(t, anthropic) : NULL;
    atomic_fetch_add(&t->sent, 1);
    if (!h || !hdrs) {
        atomic_fetch_add(&t->failed, 1);
        goto out;
    }
    snprintf(url, sizeof url, "%s%s", t->url, path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, json);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_MS);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, TRANSFER_MS);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, t);
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    atomic_fetch_add(status >= 200 && status < 300 ? &t->ok : &t->failed, 1);
out:
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    free(json);
}

/* One main-conversation request, the kind chosen by weight: chat turns most, then tool
 * calls and results, background haiku calls and OpenAI clients. */
static void send_one(struct traffic *t, unsigned *seed)
{
    int roll = pick(seed, 100);
    const char *p = prompts[pick(seed, (int)ARRAY_LEN(prompts))];
    if (roll < 45) {
        cJSON *b = anthropic_body(SONNET, claude_system, true);
        add_user_text(b, p);
        post(t, "/v1/messages?beta=true", b, true);
    } else if (roll < 60) {
        cJSON *b = anthropic_body(SONNET, claude_system, true);
        add_tools(b);
        add_user_text(b, tool_prompts[pick(seed, (int)ARRAY_LEN(tool_prompts))]);
        post(t, "/v1/messages?beta=true", b, true);
    } else if (roll < 75) {
        cJSON *b = anthropic_body(SONNET, claude_system, true);
        add_tools(b);
        add_tool_round(b, p);
        post(t, "/v1/messages?beta=true", b, true);
    } else if (roll < 87) {
        cJSON *b = anthropic_body(HAIKU, "Reply with a short title only.", false);
        add_user_text(b, "Write a five-word title for this conversation.");
        post(t, "/v1/messages?beta=true", b, true);
    } else {
        post(t, "/v1/chat/completions", openai_body(p, pick(seed, 3) != 0), false);
    }
}

static void *burst_main(void *arg)
{
    struct burst_job *j = arg;
    cJSON *b = anthropic_body(SONNET,
                              "You are a read-only Explore agent: search the code "
                              "and report what you find.",
                              true);
    if (pick(&j->seed, 2))
        add_tools(b);
    add_user_text(b, agent_prompts[pick(&j->seed, (int)ARRAY_LEN(agent_prompts))]);
    post(j->t, "/v1/messages?beta=true", b, true);
    return NULL;
}

/* Several sub-agents at once, as Claude Code's Task tool starts them. */
static void send_burst(struct traffic *t)
{
    struct burst_job jobs[MAX_BURST];
    int n = 3 + pick(&t->seed, MAX_BURST - 2);
    for (int i = 0; i < n; i++) {
        jobs[i] = (struct burst_job){.t = t, .seed = t->seed + (unsigned)i * 7919u};
        jobs[i].started = pthread_create(&jobs[i].thr, NULL, burst_main, &jobs[i]) == 0;
        if (!jobs[i].started)
            burst_main(&jobs[i]);
    }
    for (int i = 0; i < n; i++)
        if (jobs[i].started)
            pthread_join(jobs[i].thr, NULL);
}

/* Sleeps ms unless stopped first. Returns false when stopping. */
static bool pause_ms(struct traffic *t, long ms)
{
    struct timespec until = clock_mono_after(ms);
    pthread_mutex_lock(&t->mu);
    int rc = 0;
    while (!atomic_load(&t->stop) && rc == 0)
        rc = pthread_cond_timedwait(&t->cv, &t->mu, &until);
    pthread_mutex_unlock(&t->mu);
    return !atomic_load(&t->stop);
}

static void *pacer_main(void *arg)
{
    struct traffic *t = arg;
    int until_burst = 3 + pick(&t->seed, 3);
    while (pause_ms(t, MIN_GAP_MS + pick(&t->seed, MAX_GAP_MS - MIN_GAP_MS))) {
        if (!atomic_load(&t->on))
            continue;
        if (--until_burst <= 0) {
            send_burst(t);
            until_burst = 8 + pick(&t->seed, 5);
        } else {
            send_one(t, &t->seed);
        }
    }
    return NULL;
}

struct traffic *traffic_start(const char *url, const char *master_key)
{
    struct traffic *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    snprintf(t->url, sizeof t->url, "%s", url ? url : "");
    if (master_key && *master_key)
        snprintf(t->auth, sizeof t->auth, "Authorization: Bearer %s", master_key);
    atomic_init(&t->on, true);
    t->seed = (unsigned)time(NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&t->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&t->mu, NULL);
    if (pthread_create(&t->pacer, NULL, pacer_main, t) != 0) {
        pthread_cond_destroy(&t->cv);
        pthread_mutex_destroy(&t->mu);
        free(t);
        return NULL;
    }
    return t;
}

void traffic_stop(struct traffic *t)
{
    if (!t)
        return;
    pthread_mutex_lock(&t->mu);
    atomic_store(&t->stop, true);
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
    pthread_join(t->pacer, NULL);
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    free(t);
}

void traffic_set_on(struct traffic *t, bool on)
{
    if (t)
        atomic_store(&t->on, on);
}

bool traffic_is_on(const struct traffic *t)
{
    return t && atomic_load(&t->on);
}

void traffic_get_stats(const struct traffic *t, struct traffic_stats *out)
{
    memset(out, 0, sizeof *out);
    if (!t)
        return;
    out->sent = atomic_load(&t->sent);
    out->ok = atomic_load(&t->ok);
    out->failed = atomic_load(&t->failed);
}
