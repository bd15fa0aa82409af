/* SPDX-License-Identifier: MIT */
/*
 * Developer tool (not a test): walk the symbol table of whatever nanomsg
 * library it is linked with and print one line per entry:
 *     index value name ns type unit
 * It also cross-checks nn_symbol() against nn_symbol_info() and reports the
 * edge cases (negative index, index == table size, short buffer) on stderr.
 *
 * Build against the system library:  cc dump_symbols.c -lnanomsg
 */
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <nanomsg/nn.h>

int main(void)
{
    struct nn_symbol_properties p;
    int i, mismatches = 0;

    for (i = 0; ; i++) {
        int rc = nn_symbol_info(i, &p, (int) sizeof p);
        if (rc == 0)
            break;
        printf("%d %d %s %d %d %d\n", i, p.value, p.name, p.ns, p.type, p.unit);

        int v = -12345;
        const char *name = nn_symbol(i, &v);
        if (name == NULL || strcmp(name, p.name) != 0 || v != p.value) {
            fprintf(stderr, "mismatch at %d: nn_symbol gives %s=%d\n",
                i, name ? name : "(null)", v);
            mismatches++;
        }
        if (rc != (int) sizeof p)
            fprintf(stderr, "note: nn_symbol_info(%d) returned %d\n", i, rc);
    }
    int count = i;
    fprintf(stderr, "entries: %d, nn_symbol mismatches: %d\n", count, mismatches);

    /* Edge cases. */
    int v = 777;
    errno = 0;
    const char *r = nn_symbol(-1, &v);
    fprintf(stderr, "nn_symbol(-1) -> %s, value untouched=%d, errno=%d (%s)\n",
        r ? r : "NULL", v, nn_errno(), nn_strerror(nn_errno()));
    v = 777;
    errno = 0;
    r = nn_symbol(count, &v);
    fprintf(stderr, "nn_symbol(%d) -> %s, value=%d, errno=%d (%s)\n", count,
        r ? r : "NULL", v, nn_errno(), nn_strerror(nn_errno()));
    v = 777;
    r = nn_symbol(0, NULL);
    fprintf(stderr, "nn_symbol(0, NULL) -> %s\n", r ? r : "NULL");

    errno = 0;
    int rc = nn_symbol_info(-1, &p, (int) sizeof p);
    fprintf(stderr, "nn_symbol_info(-1) -> %d errno=%d\n", rc, errno);
    errno = 0;
    rc = nn_symbol_info(count, &p, (int) sizeof p);
    fprintf(stderr, "nn_symbol_info(%d) -> %d errno=%d\n", count, rc, errno);

    int lens[] = { 0, 1, 4, 8, 12, 16, 20, 31, 32, 33, 64 };
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        unsigned char buf[64];
        memset(buf, 0xAA, sizeof buf);
        errno = 0;
        rc = nn_symbol_info(3, (struct nn_symbol_properties *) buf, lens[k]);
        int touched = 0;
        for (int b = 0; b < 64; b++)
            if (buf[b] != 0xAA)
                touched = b + 1;
        fprintf(stderr, "nn_symbol_info(3, buf, %d) -> %d errno=%d, bytes written up to %d\n",
            lens[k], rc, errno, touched);
    }
    return mismatches != 0;
}
