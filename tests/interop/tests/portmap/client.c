/*
 * A libtirpc client of pmtest.x: `client HOST NETTYPE N` finds the program
 * with clnt_create(3) (asking HOST's portmapper), calls TWICE(N) and
 * prints the result. On failure it prints libtirpc's message on stderr
 * (e.g. "HOST: RPC: Program not registered") and exits 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <rpc/rpc.h>

#include "pmtest.h"

int main(int argc, char **argv)
{
    struct timeval timeout = {5, 0};
    CLIENT *clnt;
    int arg, *result;

    if (argc != 4) {
        fprintf(stderr, "usage: client HOST NETTYPE N\n");
        return 2;
    }
    clnt = clnt_create(argv[1], PMTEST_PROG, PMTEST_VERS, argv[2]);
    if (clnt == NULL) {
        clnt_pcreateerror(argv[1]);
        return 1;
    }
    clnt_control(clnt, CLSET_TIMEOUT, (char *)&timeout);
    arg = atoi(argv[3]);
    result = twice_1(&arg, clnt);
    if (result == NULL) {
        clnt_perror(clnt, argv[1]);
        return 1;
    }
    printf("%d\n", *result);
    return 0;
}
