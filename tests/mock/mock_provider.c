/* mock_provider: runs one simulated provider (simprov) as its own process, for the
 * integration tests: the real switchboard talks to it as Cerebras or as Z.AI. Prints the URL,
 * writes the port to --port-file, serves until SIGTERM or SIGINT. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/simprov.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: mock_provider --dialect openai|anthropic --port N (0 = free)\n"
               "         [--name NAME] [--key KEY] [--rpm N] [--window S] [--tpm N] [--tps N]\n"
               "         [--rph N] [--rpd N] [--tph N] [--tpd N] [--msl N]\n"
               "         [--concurrency N] [--plan-prompts N] [--plan-window S]\n"
               "         [--first-byte-ms N] [--reply-tokens N] [--fault MODE]\n"
               "         [--models a,b,...] [--port-file PATH] [--threads N]\n"
               "  --models: the lineup served (default: today's, see simprov_lineup.h)\n");
}

static int number(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < lo || v > hi)
        return -EINVAL;
    *out = v;
    return 0;
}

static int parse_dialect(const char *s, struct simprov_opts *o)
{
    if (strcmp(s, "openai") == 0)
        o->dialect = API_OPENAI;
    else if (strcmp(s, "anthropic") == 0)
        o->dialect = API_ANTHROPIC;
    else
        return -EINVAL;
    return 0;
}

/* The limits of simprov_limits.h: hour and day buckets, sequence length, Z.AI's. */
static int set_limit(int c, double v, struct simprov_opts *o)
{
    switch (c) {
    case 1:
        o->rph = (long)v;
        return 0;
    case 2:
        o->rpd = (long)v;
        return 0;
    case 3:
        o->tph = (long)v;
        return 0;
    case 4:
        o->tpd = (long)v;
        return 0;
    case 5:
        o->msl = (long)v;
        return 0;
    case 6:
        o->concurrency = (int)v;
        return 0;
    case 7:
        o->plan_prompts = (long)v;
        return 0;
    case 8:
        o->plan_window_s = v;
        return 0;
    default:
        return -EINVAL;
    }
}

/* Applies one numeric option; returns -EINVAL when the value is out of range. */
static int set_number(int c, const char *arg, struct simprov_opts *o)
{
    double v;
    if (number(arg, 0, 1e9, &v) != 0)
        return -EINVAL;
    switch (c) {
    case 'p':
        return v <= 65535 ? (o->port = (int)v, 0) : -EINVAL;
    case 'r':
        o->rpm_limit = (int)v;
        return 0;
    case 'w':
        o->window_s = v;
        return 0;
    case 'T':
        o->tpm_limit = (long)v;
        return 0;
    case 's':
        o->tokens_per_s = v;
        return 0;
    case 'b':
        o->first_byte_ms = v;
        return 0;
    case 'R':
        o->reply_tokens = (int)v;
        return 0;
    case 'j':
        return v <= 4096 ? (o->threads = (int)v, 0) : -EINVAL; /* bench holds 1024 streams */
    default:
        return set_limit(c, v, o);
    }
}

static const struct option longs[] = {{"dialect", required_argument, NULL, 'd'},
                                      {"port", required_argument, NULL, 'p'},
                                      {"name", required_argument, NULL, 'n'},
                                      {"key", required_argument, NULL, 'k'},
                                      {"rpm", required_argument, NULL, 'r'},
                                      {"window", required_argument, NULL, 'w'},
                                      {"tpm", required_argument, NULL, 'T'},
                                      {"tps", required_argument, NULL, 's'},
                                      {"first-byte-ms", required_argument, NULL, 'b'},
                                      {"reply-tokens", required_argument, NULL, 'R'},
                                      {"fault", required_argument, NULL, 'f'},
                                      {"models", required_argument, NULL, 'm'},
                                      {"port-file", required_argument, NULL, 'P'},
                                      {"threads", required_argument, NULL, 'j'},
                                      {"rph", required_argument, NULL, 1},
                                      {"rpd", required_argument, NULL, 2},
                                      {"tph", required_argument, NULL, 3},
                                      {"tpd", required_argument, NULL, 4},
                                      {"msl", required_argument, NULL, 5},
                                      {"concurrency", required_argument, NULL, 6},
                                      {"plan-prompts", required_argument, NULL, 7},
                                      {"plan-window", required_argument, NULL, 8},
                                      {"help", no_argument, NULL, 'h'},
                                      {NULL, 0, NULL, 0}};

static int parse_args(int argc, char **argv, struct simprov_opts *o, const char **port_file)
{
    bool have_dialect = false, have_port = false;
    int c, err = 0;
    while (err == 0 && (c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 'd':
            err = parse_dialect(optarg, o), have_dialect = true;
            break;
        case 'n':
            o->name = optarg;
            break;
        case 'k':
            o->api_key = optarg;
            break;
        case 'f':
            o->fault = optarg;
            break;
        case 'm':
            o->models = optarg;
            break;
        case 'P':
            *port_file = optarg;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        case '?':
            err = -EINVAL;
            break;
        default:
            err = set_number(c, optarg, o), have_port |= c == 'p';
            break;
        }
        if (err)
            fprintf(stderr, "mock_provider: bad value for --%s\n",
                    c == 'd'   ? "dialect"
                    : c == '?' ? "option"
                               : "numeric option");
    }
    if (err == 0 && (!have_dialect || !have_port || optind < argc))
        err = -EINVAL;
    return err;
}

/* Written to a temporary name and renamed, so a polling script never reads half a number. */
static int write_port_file(const char *path, int port)
{
    char tmp[4096];
    snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -errno;
    int bad = fprintf(f, "%d\n", port) < 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        int err = errno ? -errno : -EIO;
        unlink(tmp);
        return err;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct simprov_opts o = {.dialect = API_OPENAI};
    const char *port_file = NULL;
    char err[SIMPROV_ERR_LEN];
    sigset_t set;
    int sig;
    if (parse_args(argc, argv, &o, &port_file) != 0) {
        usage(stderr);
        return 2;
    }
    /* Blocked before the server threads exist, so only sigwait below ever sees them. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    struct simprov *s = simprov_start(&o, err);
    if (!s) {
        fprintf(stderr, "mock_provider: %s\n", err);
        return 1;
    }
    int port = simprov_port(s);
    printf("listening on http://127.0.0.1:%d\n", port);
    fflush(stdout);
    if (port_file && write_port_file(port_file, port) != 0) {
        fprintf(stderr, "mock_provider: cannot write %s: %s\n", port_file, strerror(errno));
        simprov_stop(s);
        return 1;
    }
    sigwait(&set, &sig);
    simprov_stop(s);
    return 0;
}
