/* nanocat: a command-line interface to nanomsg sockets.

   Written for this project from nanocat's documented behaviour (its manual
   page and --help) and from observing Debian's nanocat 1.1.5: the same
   options, the same usage errors (text and exit status 1), the same message
   formats (--raw, --ascii, --quoted, --msgpack, --hex) and the same socket
   loops. Runtime errors exit with 3, unreadable --file with 2.

   Option parsing in short:
     --name, --name=VALUE, --name VALUE, any unambiguous prefix of a long
     name (--con is ambiguous, --conn... is not an exact name so it must be
     unique), -X VALUE, -XVALUE, clusters of short flags (-vAQ); "-" and "--"
     are skipped; anything else not starting with '-' is an error. An
     executable named nn_<type> (e.g. a symlink nn_push) implies --<type>.
   After parsing, every option given is checked against what it requires
   (e.g. --push needs --data or --file), then a socket type and an address
   must be present. */
#include <nanomsg/nn.h>
#include <nanomsg/bus.h>
#include <nanomsg/pair.h>
#include <nanomsg/pipeline.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/reqrep.h>
#include <nanomsg/survey.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- option table --------------------------------------------------- */

/* Bits an option sets when given, and which other options test. */
#define B_TYPE 0x01u  /* a socket type */
#define B_ADDR 0x02u  /* an address to bind or connect */
#define B_READ 0x04u  /* a socket type that receives */
#define B_WRITE 0x08u /* a socket type that sends */
#define B_SUB 0x10u   /* the SUB socket type */
#define B_DATA 0x20u  /* something to send (--data or --file) */

enum action {
    A_VERBOSE,
    A_SILENT,
    A_HELP,
    A_TYPE,
    A_BIND,
    A_CONNECT,
    A_RECV_TIMEOUT,
    A_SEND_TIMEOUT,
    A_SOCKET_NAME,
    A_SUBSCRIBE,
    A_FORMAT,      /* --format NAME */
    A_SET_FORMAT,  /* --raw, --ascii, ... */
    A_INTERVAL,
    A_DELAY,
    A_DATA,
    A_FILE
};

enum format { F_NO, F_RAW, F_ASCII, F_QUOTED, F_MSGPACK, F_HEX };
static const char *const format_names[] = {
    "no", "raw", "ascii", "quoted", "msgpack", "hex", NULL
};

struct opt {
    const char *name;     /* long name, without "--" */
    char shortname;       /* 0 if none */
    const char *argname;  /* NULL for flags */
    enum action action;
    int param;            /* socket type, format, or address prefix index */
    unsigned sets;        /* bits set when given */
    unsigned conflicts;   /* error if any of these bits is already set */
    unsigned requires;    /* error (after parsing) unless one of these is set */
    const char *group;    /* help group heading, on the group's first entry */
    const char *help;
};

/* Address prefixes for --bind-ipc/--connect-ipc and --bind-local/--connect-local. */
static const char *const addr_prefixes[] = { "", "ipc://", "tcp://127.0.0.1:" };

#define RW (B_READ | B_WRITE)
static const struct opt opts[] = {
    { "verbose", 'v', NULL, A_VERBOSE, 0, 0, 0, 0, "Generic",
      "Increase verbosity of the nanocat" },
    { "silent", 'q', NULL, A_SILENT, 0, 0, 0, 0, NULL,
      "Decrease verbosity of the nanocat" },
    { "help", 'h', NULL, A_HELP, 0, 0, 0, 0, NULL, "This help text" },

    { "push", 0, NULL, A_TYPE, NN_PUSH, B_TYPE | B_WRITE, B_TYPE, B_DATA,
      "Socket Types", "Use NN_PUSH socket type" },
    { "pull", 0, NULL, A_TYPE, NN_PULL, B_TYPE | B_READ, B_TYPE, 0, NULL,
      "Use NN_PULL socket type" },
    { "pub", 0, NULL, A_TYPE, NN_PUB, B_TYPE | B_WRITE, B_TYPE, B_DATA, NULL,
      "Use NN_PUB socket type" },
    { "sub", 0, NULL, A_TYPE, NN_SUB, B_TYPE | B_READ | B_SUB, B_TYPE, 0, NULL,
      "Use NN_SUB socket type" },
    { "req", 0, NULL, A_TYPE, NN_REQ, B_TYPE | RW, B_TYPE, B_DATA, NULL,
      "Use NN_REQ socket type" },
    { "rep", 0, NULL, A_TYPE, NN_REP, B_TYPE | RW, B_TYPE, 0, NULL,
      "Use NN_REP socket type" },
    { "surveyor", 0, NULL, A_TYPE, NN_SURVEYOR, B_TYPE | RW, B_TYPE, B_DATA,
      NULL, "Use NN_SURVEYOR socket type" },
    { "respondent", 0, NULL, A_TYPE, NN_RESPONDENT, B_TYPE | RW, B_TYPE, 0,
      NULL, "Use NN_RESPONDENT socket type" },
    { "bus", 0, NULL, A_TYPE, NN_BUS, B_TYPE | RW, B_TYPE, 0, NULL,
      "Use NN_BUS socket type" },
    { "pair", 0, NULL, A_TYPE, NN_PAIR, B_TYPE | RW, B_TYPE, 0, NULL,
      "Use NN_PAIR socket type" },

    { "bind", 0, "ADDR", A_BIND, 0, B_ADDR, 0, 0, "Socket Options",
      "Bind socket to the address ADDR" },
    { "connect", 0, "ADDR", A_CONNECT, 0, B_ADDR, 0, 0, NULL,
      "Connect socket to the address ADDR" },
    { "bind-ipc", 'X', "PATH", A_BIND, 1, B_ADDR, 0, 0, NULL,
      "Bind socket to the ipc address \"ipc://PATH\"." },
    { "connect-ipc", 'x', "PATH", A_CONNECT, 1, B_ADDR, 0, 0, NULL,
      "Connect socket to the ipc address \"ipc://PATH\"." },
    { "bind-local", 'L', "PORT", A_BIND, 2, B_ADDR, 0, 0, NULL,
      "Bind socket to the tcp address \"tcp://127.0.0.1:PORT\"." },
    { "connect-local", 'l', "PORT", A_CONNECT, 2, B_ADDR, 0, 0, NULL,
      "Connect socket to the tcp address \"tcp://127.0.0.1:PORT\"." },
    { "recv-timeout", 0, "SEC", A_RECV_TIMEOUT, 0, 0, 0, B_READ, NULL,
      "Set timeout for receiving a message" },
    { "send-timeout", 0, "SEC", A_SEND_TIMEOUT, 0, 0, 0, B_WRITE, NULL,
      "Set timeout for sending a message" },
    { "socket-name", 0, "NAME", A_SOCKET_NAME, 0, 0, 0, 0, NULL,
      "Name of the socket for statistics" },

    { "subscribe", 0, "PREFIX", A_SUBSCRIBE, 0, 0, 0, B_SUB,
      "SUB Socket Options",
      "Subscribe to the prefix PREFIX. Note: socket will be subscribed to "
      "everything (empty prefix) if no prefixes are specified on the "
      "command-line." },

    { "format", 0, "FORMAT", A_FORMAT, 0, 0, 0, B_READ, "Input Options",
      "Use echo format FORMAT (same as the options below)" },
    { "raw", 0, NULL, A_SET_FORMAT, F_RAW, 0, 0, B_READ, NULL,
      "Dump message as is (Note: no delimiters are printed)" },
    { "ascii", 'A', NULL, A_SET_FORMAT, F_ASCII, 0, 0, B_READ, NULL,
      "Print ASCII part of message delimited by newline. All non-ascii "
      "characters replaced by dot." },
    { "quoted", 'Q', NULL, A_SET_FORMAT, F_QUOTED, 0, 0, B_READ, NULL,
      "Print each message on separate line in double quotes with C-like "
      "character escaping" },
    { "msgpack", 0, NULL, A_SET_FORMAT, F_MSGPACK, 0, 0, B_READ, NULL,
      "Print each message as msgpacked string (raw type). This is useful "
      "for programmatic parsing." },
    { "hex", 0, NULL, A_SET_FORMAT, F_HEX, 0, 0, B_READ, NULL,
      "Print each message on separate line in double quotes with hex values" },

    { "interval", 'i', "SEC", A_INTERVAL, 0, 0, 0, B_WRITE, "Output Options",
      "Send message (or request) every SEC seconds" },
    { "delay", 'd', "SEC", A_DELAY, 0, 0, 0, 0, NULL,
      "Wait for SEC seconds before sending message (useful for one-shot PUB "
      "sockets)" },
    { "data", 'D', "DATA", A_DATA, 0, B_DATA, B_DATA, B_WRITE, NULL,
      "Send DATA to the socket and quit for PUB, PUSH, PAIR, BUS socket. Use "
      "DATA to reply for REP or  RESPONDENT socket. Send DATA as request for "
      "REQ or SURVEYOR socket." },
    { "file", 'F', "PATH", A_FILE, 0, B_DATA, B_DATA, B_WRITE, NULL,
      "Same as --data but get data from file PATH" },
};
#define NOPTS ((int) (sizeof opts / sizeof opts[0]))

/* How an option was last written on the command line, for messages. */
enum spelling { S_LONG, S_SHORT, S_EXEC };
struct given {
    int set;
    enum spelling how;
    const char *token; /* the argv element (S_LONG) */
    size_t len;        /* length of the name part written (S_LONG) */
};

/* ---- parsed settings ---------------------------------------------- */

struct strlist {
    char **items;
    int n;
};

static struct {
    const char *prog;
    int verbose;
    int type;
    struct strlist binds, connects, subscribes;
    float recv_timeout, send_timeout, interval, delay;
    const char *socket_name;
    enum format format;
    char *data;
    size_t data_len;
    int have_data;
} cfg;

static struct given given[NOPTS];
static unsigned bits_set;

_Noreturn static void die_oom(void)
{
    fprintf(stderr, "%s: out of memory\n", cfg.prog);
    exit(3);
}

static void list_add(struct strlist *l, const char *prefix, const char *s)
{
    size_t a = strlen(prefix), b = strlen(s);
    char *v = malloc(a + b + 1);
    char **items = realloc(l->items, (size_t) (l->n + 1) * sizeof *items);
    if (!v || !items)
        die_oom();
    memcpy(v, prefix, a);
    memcpy(v + a, s, b + 1);
    l->items = items;
    l->items[l->n++] = v;
}

/* The option as the user wrote it: "--name" (the whole argument, "=value"
   included), "--pre[fix]" for an abbreviation, "-X (--name)" for a short
   option, "PROGRAM (executable)" when implied by the program's name. */
static void print_spelling(FILE *f, int i)
{
    const struct given *g = &given[i];
    switch (g->how) {
    case S_EXEC:
        fprintf(f, "%s (executable)", cfg.prog);
        break;
    case S_SHORT:
        fprintf(f, "-%c (--%s)", opts[i].shortname, opts[i].name);
        break;
    case S_LONG:
        if (g->len < strlen(opts[i].name))
            fprintf(f, "--%.*s[%s]", (int) g->len, opts[i].name,
                    opts[i].name + g->len);
        else
            fputs(g->token, f);
        break;
    }
}

/* Every option that sets one of `mask`, with its short form on its own line. */
static void print_options_with(unsigned mask)
{
    for (int i = 0; i < NOPTS; i++) {
        if (!(opts[i].sets & mask))
            continue;
        fprintf(stderr, "    --%s\n", opts[i].name);
        if (opts[i].shortname)
            fprintf(stderr, "    -%c\n", opts[i].shortname);
    }
}

/* ---- help ----------------------------------------------------------- */

#define HELP_COL 24
#define HELP_WIDTH 80

static void print_help(void)
{
    printf("Usage:\n    %s {", cfg.prog);
    int first = 1;
    for (int i = 0; i < NOPTS; i++) {
        if (!(opts[i].sets & (B_TYPE | B_ADDR)))
            continue;
        printf("%s--%s", first ? "" : "|", opts[i].name);
        first = 0;
    }
    printf("} [-vqhAQ] [-i SEC] [-d SEC] [-D DATA] [-F PATH] [options] \n");
    printf("\nA command-line interface to nanomsg\n");

    for (int i = 0; i < NOPTS; i++) {
        const struct opt *o = &opts[i];
        char head[64];
        int n;
        if (o->group)
            printf("\n%s:\n", o->group);
        n = snprintf(head, sizeof head, " --%s", o->name);
        if (o->shortname)
            n += snprintf(head + n, sizeof head - (size_t) n, ",-%c", o->shortname);
        if (o->argname)
            n += snprintf(head + n, sizeof head - (size_t) n, " %s", o->argname);
        fputs(head, stdout);
        int col = n;
        if (col + 2 > HELP_COL) {
            putchar('\n');
            col = 0;
        }
        printf("%*s", HELP_COL - col, "");
        col = HELP_COL;

        /* Word-wrap the text; runs of spaces inside it are kept. */
        const char *p = o->help;
        int line_has_word = 0;
        while (*p) {
            const char *sp = strchr(p, ' ');
            size_t wl = sp ? (size_t) (sp - p) : strlen(p);
            if (line_has_word && col + 1 + (int) wl > HELP_WIDTH - 1) {
                printf("\n%*s", HELP_COL, "");
                col = HELP_COL;
                line_has_word = 0;
            }
            if (line_has_word) {
                putchar(' ');
                col++;
            }
            fwrite(p, 1, wl, stdout);
            col += (int) wl;
            line_has_word = 1;
            p += wl;
            if (*p == ' ')
                p++;
        }
        putchar('\n');
    }
    fflush(stdout);
}

/* ---- argument processing -------------------------------------------- */

static void usage_error_start(void)
{
    fprintf(stderr, "%s: ", cfg.prog);
}

static float parse_float(int i, const char *val)
{
    char *end;
    float v = strtof(val, &end);
    if (end == val || *end != '\0') {
        usage_error_start();
        fputs("Option ", stderr);
        print_spelling(stderr, i);
        fputs(" requires float point argument\n", stderr);
        exit(1);
    }
    return v;
}

static void read_file(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    size_t cap = 4096, len = 0;
    char *buf;
    if (!f) {
        fprintf(stderr, "Error opening file ``%s'': %s\n", path, strerror(errno));
        exit(2);
    }
    buf = malloc(cap);
    if (!buf)
        die_oom();
    for (;;) {
        size_t n;
        if (len == cap) {
            char *nb;
            cap *= 2;
            nb = realloc(buf, cap);
            if (!nb)
                die_oom();
            buf = nb;
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f)) {
                fprintf(stderr, "Error reading file ``%s'': %s\n", path,
                        strerror(errno));
                exit(2);
            }
            break;
        }
    }
    if (f != stdin)
        fclose(f);
    free(cfg.data);
    cfg.data = buf;
    cfg.data_len = len;
    cfg.have_data = 1;
}

/* Option `i` was given (its spelling already recorded) with `val`
   (NULL for flags). */
static void apply(int i, const char *val)
{
    const struct opt *o = &opts[i];

    if (o->conflicts & bits_set) {
        usage_error_start();
        fputs("Option ", stderr);
        print_spelling(stderr, i);
        fputs(" conflicts with the following options:\n", stderr);
        for (int j = 0; j < NOPTS; j++) {
            if (!given[j].set || !(opts[j].sets & o->conflicts))
                continue;
            fputs("    ", stderr);
            print_spelling(stderr, j);
            fputs(" \n", stderr);
        }
        exit(1);
    }
    given[i].set = 1;
    bits_set |= o->sets;

    switch (o->action) {
    case A_VERBOSE:
        cfg.verbose++;
        break;
    case A_SILENT:
        cfg.verbose--;
        break;
    case A_HELP:
        print_help();
        exit(0);
    case A_TYPE:
        cfg.type = o->param;
        break;
    case A_BIND:
        list_add(&cfg.binds, addr_prefixes[o->param], val);
        break;
    case A_CONNECT:
        list_add(&cfg.connects, addr_prefixes[o->param], val);
        break;
    case A_RECV_TIMEOUT:
        cfg.recv_timeout = parse_float(i, val);
        break;
    case A_SEND_TIMEOUT:
        cfg.send_timeout = parse_float(i, val);
        break;
    case A_INTERVAL:
        cfg.interval = parse_float(i, val);
        break;
    case A_DELAY:
        cfg.delay = parse_float(i, val);
        break;
    case A_SOCKET_NAME:
        cfg.socket_name = val;
        break;
    case A_SUBSCRIBE:
        list_add(&cfg.subscribes, "", val);
        break;
    case A_FORMAT: {
        int k;
        for (k = 0; format_names[k]; k++)
            if (strcmp(format_names[k], val) == 0)
                break;
        if (!format_names[k]) {
            usage_error_start();
            fprintf(stderr, "Invalid value ``%s'' for ", val);
            print_spelling(stderr, i);
            fputs(" . Options are:\n", stderr);
            for (k = 0; format_names[k]; k++)
                fprintf(stderr, "    %s\n", format_names[k]);
            exit(1);
        }
        cfg.format = (enum format) k;
        break;
    }
    case A_SET_FORMAT:
        cfg.format = (enum format) o->param;
        break;
    case A_DATA: {
        size_t n = strlen(val);
        char *d = malloc(n + 1);
        if (!d)
            die_oom();
        memcpy(d, val, n + 1);
        free(cfg.data);
        cfg.data = d;
        cfg.data_len = n;
        cfg.have_data = 1;
        break;
    }
    case A_FILE:
        read_file(val);
        break;
    }
}

_Noreturn static void missing_argument(int i)
{
    usage_error_start();
    fputs("Option ", stderr);
    print_spelling(stderr, i);
    fputs(" requires an argument\n", stderr);
    exit(1);
}

static void parse_long(int argc, char **argv, int *idx)
{
    const char *arg = argv[*idx];
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t len = eq ? (size_t) (eq - name) : strlen(name);
    int found = -1, matches = 0;

    if (len > 0) {
        for (int i = 0; i < NOPTS; i++) {
            if (strlen(opts[i].name) == len && memcmp(opts[i].name, name, len) == 0) {
                found = i;
                matches = 1;
                break;
            }
        }
        if (found < 0) {
            for (int i = 0; i < NOPTS; i++) {
                if (strncmp(opts[i].name, name, len) == 0) {
                    if (matches == 0)
                        found = i;
                    matches++;
                }
            }
        }
    }
    if (matches == 0) {
        usage_error_start();
        fprintf(stderr, "Unknown option ``%s''\n", arg);
        exit(1);
    }
    if (matches > 1) {
        usage_error_start();
        fprintf(stderr, "Ambiguous option ``%s'':\n", arg);
        for (int i = 0; i < NOPTS; i++)
            if (strncmp(opts[i].name, name, len) == 0)
                fprintf(stderr, "    %s\n", opts[i].name);
        exit(1);
    }

    given[found].how = S_LONG;
    given[found].token = arg;
    given[found].len = len;

    const char *val = NULL;
    if (opts[found].argname) {
        if (eq)
            val = eq + 1;
        else if (*idx + 1 < argc)
            val = argv[++*idx];
        else
            missing_argument(found);
    } else if (eq) {
        usage_error_start();
        fputs("Option ", stderr);
        print_spelling(stderr, found);
        fputs(" does not accept argument\n", stderr);
        exit(1);
    }
    apply(found, val);
}

static void parse_short(int argc, char **argv, int *idx)
{
    const char *p = argv[*idx] + 1;
    for (; *p; p++) {
        int found = -1;
        for (int i = 0; i < NOPTS; i++)
            if (opts[i].shortname == *p) {
                found = i;
                break;
            }
        if (found < 0) {
            usage_error_start();
            fprintf(stderr, "Unknown option ``-%c''\n", *p);
            exit(1);
        }
        given[found].how = S_SHORT;
        if (opts[found].argname) {
            const char *val;
            if (p[1])
                val = p + 1;
            else if (*idx + 1 < argc)
                val = argv[++*idx];
            else
                missing_argument(found);
            apply(found, val);
            return;
        }
        apply(found, NULL);
    }
}

static void parse_args(int argc, char **argv)
{
    /* nn_push, nn_sub, ...: the socket type from the program's name. */
    const char *base = strrchr(cfg.prog, '/');
    base = base ? base + 1 : cfg.prog;
    if (strncmp(base, "nn_", 3) == 0) {
        for (int i = 0; i < NOPTS; i++) {
            if (opts[i].action == A_TYPE && strcmp(opts[i].name, base + 3) == 0) {
                given[i].how = S_EXEC;
                apply(i, NULL);
                break;
            }
        }
    }

    for (int idx = 1; idx < argc; idx++) {
        const char *arg = argv[idx];
        if (arg[0] != '-') {
            usage_error_start();
            fprintf(stderr, "Unexpected argument ``%s''\n", arg);
            exit(1);
        }
        if (arg[1] == '-') {
            if (arg[2] == '\0')
                continue;
            parse_long(argc, argv, &idx);
        } else {
            parse_short(argc, argv, &idx);
        }
    }

    for (int i = 0; i < NOPTS; i++) {
        if (!given[i].set || !opts[i].requires || (opts[i].requires & bits_set))
            continue;
        usage_error_start();
        fputs("Option ", stderr);
        print_spelling(stderr, i);
        fputs(" requires at least one of the following options:\n", stderr);
        print_options_with(opts[i].requires);
        exit(1);
    }

    unsigned missing = (B_TYPE | B_ADDR) & ~bits_set;
    if (missing) {
        usage_error_start();
        fputs("At least one of the following required:\n", stderr);
        print_options_with(missing);
        exit(1);
    }
}

/* ---- message output ------------------------------------------------- */

static void print_message(const unsigned char *buf, size_t len)
{
    static const char hexdigits[] = "0123456789abcdef";
    switch (cfg.format) {
    case F_NO:
        return;
    case F_RAW:
        fwrite(buf, 1, len, stdout);
        break;
    case F_ASCII:
        for (size_t i = 0; i < len; i++)
            putchar(buf[i] >= 0x20 && buf[i] < 0x7f ? buf[i] : '.');
        putchar('\n');
        break;
    case F_QUOTED:
        putchar('"');
        for (size_t i = 0; i < len; i++) {
            unsigned char c = buf[i];
            if (c == '\n')
                fputs("\\n", stdout);
            else if (c == '\r')
                fputs("\\r", stdout);
            else if (c == '"' || c == '\\') {
                putchar('\\');
                putchar(c);
            } else if (c >= 0x20 && c < 0x7f)
                putchar(c);
            else {
                fputs("\\x", stdout);
                putchar(hexdigits[c >> 4]);
                putchar(hexdigits[c & 15]);
            }
        }
        fputs("\"\n", stdout);
        break;
    case F_MSGPACK: {
        /* msgpack bin 8 / bin 16 / bin 32 header, big-endian length. */
        unsigned char hdr[5];
        size_t n;
        if (len < 0x100) {
            hdr[0] = 0xc4;
            hdr[1] = (unsigned char) len;
            n = 2;
        } else if (len < 0x10000) {
            hdr[0] = 0xc5;
            hdr[1] = (unsigned char) (len >> 8);
            hdr[2] = (unsigned char) len;
            n = 3;
        } else {
            hdr[0] = 0xc6;
            hdr[1] = (unsigned char) (len >> 24);
            hdr[2] = (unsigned char) (len >> 16);
            hdr[3] = (unsigned char) (len >> 8);
            hdr[4] = (unsigned char) len;
            n = 5;
        }
        fwrite(hdr, 1, n, stdout);
        fwrite(buf, 1, len, stdout);
        break;
    }
    case F_HEX:
        putchar('"');
        for (size_t i = 0; i < len; i++) {
            fputs("\\x", stdout);
            putchar(hexdigits[buf[i] >> 4]);
            putchar(hexdigits[buf[i] & 15]);
        }
        fputs("\"\n", stdout);
        break;
    }
    fflush(stdout);
}

/* ---- socket loops --------------------------------------------------- */

_Noreturn static void fail(const char *what)
{
    fprintf(stderr, "Can't %s: %s\n", what, nn_strerror(nn_errno()));
    exit(3);
}

/* float -> int the way x86's truncating conversion does it: out of range
   and NaN give INT_MIN (what upstream's nanocat ends up with). */
static int f2i(float x)
{
    if (x >= -2147483648.0f && x < 2147483648.0f)
        return (int) x;
    return INT_MIN;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts;
    if (ms <= 0)
        return;
    ts.tv_sec = (time_t) (ms / 1000);
    ts.tv_nsec = (long) (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static void send_data(int s)
{
    if (nn_send(s, cfg.data, cfg.data_len, 0) < 0)
        fail("send");
}

/* Receives and prints one message: 1 on success, 0 on ETIMEDOUT/EFSM. */
static int recv_print(int s, int stop_on_timeout)
{
    void *buf = NULL;
    int rc = nn_recv(s, &buf, NN_MSG, 0);
    if (rc < 0) {
        int e = nn_errno();
        if (stop_on_timeout && (e == ETIMEDOUT || e == EFSM))
            return 0;
        fail("recv");
    }
    print_message(buf, (size_t) rc);
    nn_freemsg(buf);
    return 1;
}

/* Print everything received until a receive times out. */
static void recv_loop(int s)
{
    while (recv_print(s, 1))
        ;
}

/* PUB, PUSH: send once, or every --interval. */
static void send_loop(int s, int interval)
{
    for (;;) {
        int64_t start = now_ms();
        send_data(s);
        if (interval < 0)
            return;
        sleep_ms(start + interval - now_ms());
    }
}

/* REQ, SURVEYOR, and BUS/PAIR with data: send, then print what comes back
   until the next --interval (or, without one, until a receive times out). */
static void rw_loop(int s, int interval)
{
    for (;;) {
        int64_t start = now_ms();
        send_data(s);
        if (interval < 0) {
            recv_loop(s);
            return;
        }
        for (;;) {
            int64_t left = start + interval - now_ms();
            int timeout;
            if (left <= 0)
                break;
            timeout = left > INT_MAX ? INT_MAX : (int) left;
            nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVTIMEO, &timeout, sizeof timeout);
            if (!recv_print(s, 1)) {
                sleep_ms(start + interval - now_ms());
                break;
            }
        }
    }
}

/* REP, RESPONDENT with data: answer every request with it. */
static void reply_loop(int s)
{
    for (;;) {
        recv_print(s, 0);
        send_data(s);
    }
}

int main(int argc, char **argv)
{
    int s;

    cfg.prog = argc > 0 && argv[0] ? argv[0] : "nanocat";
    cfg.recv_timeout = -1.0f;
    cfg.send_timeout = -1.0f;
    cfg.interval = -1.0f;
    cfg.delay = 0.0f;
    cfg.format = F_NO;
    parse_args(argc, argv);

    s = nn_socket(AF_SP, cfg.type);
    if (s < 0)
        fail("create socket");

    if (cfg.send_timeout >= 0) {
        int ms = f2i(cfg.send_timeout * 1000.0f);
        if (nn_setsockopt(s, NN_SOL_SOCKET, NN_SNDTIMEO, &ms, sizeof ms) < 0)
            fail("set send timeout");
    }
    if (cfg.recv_timeout >= 0) {
        /* Whole seconds, as upstream's nanocat does it. */
        int ms = (int) (int32_t) ((uint32_t) f2i(cfg.recv_timeout) * 1000u);
        if (nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVTIMEO, &ms, sizeof ms) < 0)
            fail("set recv timeout");
    }
    if (cfg.socket_name &&
        nn_setsockopt(s, NN_SOL_SOCKET, NN_SOCKET_NAME, cfg.socket_name,
                      strlen(cfg.socket_name)) < 0)
        fail("set socket name");
    if (cfg.type == NN_SUB) {
        if (cfg.subscribes.n == 0) {
            if (nn_setsockopt(s, NN_SUB, NN_SUB_SUBSCRIBE, "", 0) < 0)
                fail("subscribe");
        }
        for (int i = 0; i < cfg.subscribes.n; i++) {
            const char *p = cfg.subscribes.items[i];
            if (nn_setsockopt(s, NN_SUB, NN_SUB_SUBSCRIBE, p, strlen(p)) < 0)
                fail("subscribe");
        }
    }
    for (int i = 0; i < cfg.binds.n; i++)
        if (nn_bind(s, cfg.binds.items[i]) < 0)
            fail("bind");
    for (int i = 0; i < cfg.connects.n; i++)
        if (nn_connect(s, cfg.connects.items[i]) < 0)
            fail("connect");

    if (cfg.delay > 0)
        sleep_ms(f2i(cfg.delay * 1000.0f));

    /* -1: no --interval (a negative one counts as none). */
    int interval = -1;
    if (cfg.interval >= 0)
        interval = f2i(cfg.interval * 1000.0f);
    if (interval < 0 && cfg.interval >= 0)
        interval = 0; /* overflowed: send back to back, as upstream does */
    switch (cfg.type) {
    case NN_PUB:
    case NN_PUSH:
        send_loop(s, interval);
        break;
    case NN_REQ:
    case NN_SURVEYOR:
        rw_loop(s, interval);
        break;
    case NN_BUS:
    case NN_PAIR:
        if (cfg.have_data)
            rw_loop(s, interval);
        else
            recv_loop(s);
        break;
    case NN_REP:
    case NN_RESPONDENT:
        if (cfg.have_data)
            reply_loop(s);
        else
            recv_loop(s);
        break;
    default:
        recv_loop(s);
        break;
    }
    nn_close(s);
    return 0;
}
