/*
 * libtirpc client for bench.x: COUNT sequential calls through the
 * rpcgen-generated stubs, after a warm-up, on one client handle.
 *
 *   client tcp|udp PORT COUNT SIZE   SIZE < 0: NULL calls; else ECHO of SIZE bytes
 *
 * Prints the elapsed nanoseconds for the COUNT calls.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <rpc/rpc.h>

#include "bench.h"

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: client tcp|udp PORT COUNT SIZE\n");
        return 64;
    }
    int udp = strcmp(argv[1], "udp") == 0;
    long count = atol(argv[3]);
    long size = atol(argv[4]);
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(atoi(argv[2]));
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int sock = RPC_ANYSOCK;
    struct timeval wait = {25, 0};
    CLIENT *clnt = udp ? clntudp_bufcreate(&sin, BENCH_PROG, BENCH_V1, wait, &sock, 65000, 65000)
                       : clnttcp_create(&sin, BENCH_PROG, BENCH_V1, &sock, 0, 0);
    if (!clnt) {
        clnt_pcreateerror("client");
        return 1;
    }
    payload arg;
    arg.payload_len = size > 0 ? (u_int)size : 0;
    arg.payload_val = malloc(arg.payload_len + 1);
    memset(arg.payload_val, 7, arg.payload_len);
    long warmup = count / 10 + 1;
    long long start = 0;
    for (long i = -warmup; i < count; i++) {
        if (i == 0)
            start = now_ns();
        if (size < 0) {
            if (clnt_call(clnt, NULLPROC, (xdrproc_t)xdr_void, NULL, (xdrproc_t)xdr_void, NULL,
                          wait) != RPC_SUCCESS) {
                clnt_perror(clnt, "null");
                return 1;
            }
        } else {
            payload *res = echo_1(&arg, clnt);
            if (!res || res->payload_len != arg.payload_len) {
                clnt_perror(clnt, "echo");
                return 1;
            }
            xdr_free((xdrproc_t)xdr_payload, (char *)res);
        }
    }
    printf("%lld\n", now_ns() - start);
    return 0;
}
