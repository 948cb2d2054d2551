/*
 * libtirpc client for bench.x: COUNT sequential calls through the
 * rpcgen-generated stubs, after a warm-up, on one client handle.
 *
 *   client tcp|udp|unix PORT|PATH COUNT SIZE [batch]
 *
 * SIZE < 0: NULL calls; else ECHO of SIZE bytes. With "batch": COUNT
 * batched RECORD calls (no result, zero timeout: libtirpc queues them)
 * flushed by one NULL call. Prints the elapsed nanoseconds for the COUNT
 * calls.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <rpc/rpc.h>

#include "bench.h"

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* A client handle on a connected Unix stream socket. */
static CLIENT *unix_client(const char *path)
{
    struct sockaddr_un sun;
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    strncpy(sun.sun_path, path, sizeof sun.sun_path - 1);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
        perror("client: unix socket");
        return NULL;
    }
    struct netbuf addr = {sizeof sun, sizeof sun, &sun};
    return clnt_vc_create(fd, &addr, BENCH_PROG, BENCH_V1, 0, 0);
}

static int null_call(CLIENT *clnt, struct timeval wait)
{
    if (clnt_call(clnt, NULLPROC, (xdrproc_t)xdr_void, NULL, (xdrproc_t)xdr_void, NULL, wait) !=
        RPC_SUCCESS) {
        clnt_perror(clnt, "null");
        return 0;
    }
    return 1;
}

/* COUNT batched RECORD calls, then the NULL call that flushes them. */
static int batch(CLIENT *clnt, long count, struct timeval wait)
{
    struct timeval zero = {0, 0};
    for (u_int seq = 0; seq < (u_int)count; seq++) {
        if (clnt_call(clnt, RECORD, (xdrproc_t)xdr_u_int, (char *)&seq, NULL, NULL, zero) !=
            RPC_SUCCESS) {
            clnt_perror(clnt, "batch");
            return 0;
        }
    }
    return null_call(clnt, wait);
}

int main(int argc, char **argv)
{
    if (argc != 5 && argc != 6) {
        fprintf(stderr, "usage: client tcp|udp|unix PORT|PATH COUNT SIZE [batch]\n");
        return 64;
    }
    int udp = strcmp(argv[1], "udp") == 0;
    int local = strcmp(argv[1], "unix") == 0;
    long count = atol(argv[3]);
    long size = atol(argv[4]);
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(atoi(argv[2]));
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int sock = RPC_ANYSOCK;
    struct timeval wait = {25, 0};
    CLIENT *clnt = local ? unix_client(argv[2])
                   : udp ? clntudp_bufcreate(&sin, BENCH_PROG, BENCH_V1, wait, &sock, 65000, 65000)
                         : clnttcp_create(&sin, BENCH_PROG, BENCH_V1, &sock, 0, 0);
    if (!clnt) {
        clnt_pcreateerror("client");
        return 1;
    }
    if (argc == 6) {
        if (!batch(clnt, count / 10 + 1, wait))
            return 1;
        long long start = now_ns();
        if (!batch(clnt, count, wait))
            return 1;
        printf("%lld\n", now_ns() - start);
        return 0;
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
            if (!null_call(clnt, wait))
                return 1;
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
