/* The tests must run on our build, never by luck on Debian's libnanomsg that
   sits in the system library path: check where nn_socket came from. */
#define _GNU_SOURCE
#include "testutil.h"
#include <dlfcn.h>
#include <limits.h>

int main(void)
{
    Dl_info info;
    char want[PATH_MAX], got[PATH_MAX];
    const char *dir = getenv("NN_EXPECT_LIB_DIR");
    CHECK(dir != NULL);
    CHECK(dladdr((void *) nn_socket, &info) != 0);
    CHECK(info.dli_fname != NULL);
    CHECK(realpath(dir, want) != NULL);
    CHECK(realpath(info.dli_fname, got) != NULL);
    if (strncmp(got, want, strlen(want)) != 0) {
        fprintf(stderr, "nn_socket comes from %s, expected a library in %s\n", got, want);
        return 1;
    }
    printf("loaded %s\n", got);
    return 0;
}
