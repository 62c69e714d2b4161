/* main: reads the command line and hands over to the app or a subcommand. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/cli.h"

static const struct option long_opts[] = {
    {"config", required_argument, NULL, 'c'},
    {"env-file", required_argument, NULL, 'e'},
    {"host", required_argument, NULL, 'H'},
    {"port", required_argument, NULL, 'p'},
    {"headless", no_argument, NULL, 'n'},
    {"demo", no_argument, NULL, 'd'},
    {"log-file", required_argument, NULL, 'l'},
    {"log-bodies", no_argument, NULL, 'B'},
    {"grace", required_argument, NULL, 'g'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"check", no_argument, NULL, 'k'},
    {"insecure", no_argument, NULL, 'I'},
    {"online", no_argument, NULL, 'O'},
    {NULL, 0, NULL, 0},
};

static int parse_port(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    return (*end || v < 0 || v > 65535) ? -1 : (int)v;
}

int main(int argc, char **argv)
{
    if (argc > 1 && argv[1][0] != '-')
        return cli_subcommand(argc - 1, argv + 1);
    struct app_opts o = {
        .config_path = "config.yaml", .env_path = ".env", .port = -1, .grace_s = 10};
    int c;
    while ((c = getopt_long(argc, argv, "c:p:hV", long_opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            o.config_path = optarg;
            break;
        case 'e':
            o.env_path = optarg;
            break;
        case 'H':
            o.host = optarg;
            break;
        case 'p':
            if ((o.port = parse_port(optarg)) < 0) {
                fprintf(stderr, "error: --port needs a number from 0 (any free port) to 65535\n");
                return 2;
            }
            break;
        case 'n':
            o.headless = true;
            break;
        case 'd':
            o.demo = true;
            break;
        case 'l':
            o.log_file = optarg;
            break;
        case 'B':
            o.log_bodies = true;
            break;
        case 'g':
            o.grace_s = atof(optarg);
            break;
        case 'k':
            o.check = true;
            break;
        case 'I':
            o.insecure = true;
            break;
        case 'O':
            o.online = true;
            break;
        case 'h':
            cli_print_help(stdout);
            return 0;
        case 'V':
            printf("switchboard %s\n", SB_VERSION);
            return 0;
        default:
            cli_print_help(stderr);
            return 2;
        }
    }
    if (o.online && !o.check) {
        fprintf(stderr, "error: --online goes with --check (switchboard --check --online)\n");
        return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "error: unexpected argument '%s' (see --help)\n", argv[optind]);
        return 2;
    }
    return app_main(&o);
}
