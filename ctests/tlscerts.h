/* Certificates for the TLS tests, made at test time with the openssl CLI
   in a fresh mktemp directory (removed by tls_certs_remove):
     ca.pem            a CA
     server.pem        a server certificate for localhost, 127.0.0.1 and
                       ::1 signed by that CA, with its key
     client.pem        a client certificate signed by that CA, with its key
     other-ca.pem      a second CA, which signed only...
     wrong.pem         ...a server certificate for the same names.
   tls_certs_make returns 0, or 77 (SKIP) when openssl is not there. */
#ifndef NN_TLSCERTS_H
#define NN_TLSCERTS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <nanomsg/nn.h>
#include <nanomsg/tls.h>
#include "testutil.h"

static char tls_dir[256];

/* The path of file `name` in the certificate directory (a static buffer
   per call site is not needed: returns into buf). */
static inline const char *tls_path(char *buf, size_t cap, const char *name)
{
    test_addr(buf, cap, "%s/%s", tls_dir, name);
    return buf;
}

static inline int tls_certs_make(void)
{
    char cmd[4096];
    if (system("command -v openssl >/dev/null 2>&1") != 0)
        return 77;
    strcpy(tls_dir, "/tmp/nn-tls-XXXXXX");
    CHECK(mkdtemp(tls_dir) != NULL);
    test_addr(cmd, sizeof cmd,
        "( set -e; cd '%s'; "
        "ca() { openssl req -x509 -newkey ec -pkeyopt "
        "ec_paramgen_curve:prime256v1 -nodes -keyout $1.key -out $1.pem "
        "-days 2 -subj /CN=$1 -addext basicConstraints=critical,CA:TRUE "
        "-addext keyUsage=critical,keyCertSign,cRLSign; }; "
        "leaf() { openssl req -newkey ec -pkeyopt "
        "ec_paramgen_curve:prime256v1 -nodes -keyout $1.key -out $1.csr "
        "-subj /CN=$1; printf \"$3\" > $1.ext; openssl x509 -req -in $1.csr "
        "-CA $2.pem -CAkey $2.key -CAcreateserial -days 2 -out $1.crt "
        "-extfile $1.ext; cat $1.crt $1.key > $1.pem; }; "
        "ca ca; ca other-ca; "
        "leaf server ca 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\\n"
        "extendedKeyUsage=serverAuth\\nbasicConstraints=CA:FALSE\\n'; "
        "leaf client ca 'extendedKeyUsage=clientAuth\\n"
        "basicConstraints=CA:FALSE\\n'; "
        "leaf wrong other-ca 'subjectAltName=DNS:localhost,IP:127.0.0.1,"
        "IP:::1\\nextendedKeyUsage=serverAuth\\nbasicConstraints=CA:FALSE\\n'"
        " ) >/dev/null 2>&1",
        tls_dir);
    CHECK(system(cmd) == 0);
    return 0;
}

static inline void tls_certs_remove(void)
{
    char cmd[300];
    if (tls_dir[0] == '\0')
        return;
    test_addr(cmd, sizeof cmd, "rm -rf '%s'", tls_dir);
    CHECK(system(cmd) == 0);
}

/* Sets string option opt of level NN_TLS to the path of `file` in the
   certificate directory ("" unsets it). */
static inline void tls_set_file(int s, int opt, const char *file)
{
    char p[512];
    if (file[0] == '\0') {
        CHECK(nn_setsockopt(s, NN_TLS, opt, "", 0) == 0);
        return;
    }
    tls_path(p, sizeof p, file);
    CHECK(nn_setsockopt(s, NN_TLS, opt, p, strlen(p)) == 0);
}

/* A socket that can both listen (server.pem) and dial (trusting ca.pem). */
static inline void tls_both(int s)
{
    tls_set_file(s, NN_TLS_CERT_KEY_FILE, "server.pem");
    tls_set_file(s, NN_TLS_CA_FILE, "ca.pem");
}

/* How many descriptors the process has open. */
static inline int tls_count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    CHECK(d != NULL);
    while (readdir(d) != NULL)
        n++;
    closedir(d);
    return n;
}

#endif
