/*
 * libtirpc server for bench.x: the rpcgen-generated dispatcher, TCP and UDP
 * on loopback ports the kernel picks, and a Unix stream socket at the path
 * given as the only argument, if any; no portmapper. Prints "TCP UDP",
 * serves until its stdin closes.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <rpc/rpc.h>

#include "bench.h"

void bench_prog_1(struct svc_req *, SVCXPRT *);

payload *echo_1_svc(payload *arg, struct svc_req *req)
{
    static payload result;
    (void)req;
    /* Reply with the argument's own buffer: no copy, as a tuned C server would. */
    result = *arg;
    return &result;
}

void *record_1_svc(u_int *seq, struct svc_req *req)
{
    (void)seq;
    (void)req;
    /* No result: the dispatcher sends no reply (a one-way procedure). */
    return NULL;
}

int bench_prog_1_freeresult(SVCXPRT *t, xdrproc_t f, caddr_t r)
{
    (void)t;
    (void)f;
    (void)r;
    return 1;
}

/* tests/support/c/stdin_watchdog.c: exits when stdin closes. */
void start_stdin_watchdog(void);

static int loopback_socket(int type)
{
    struct sockaddr_in sin;
    int s = socket(AF_INET, type, 0);
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || bind(s, (struct sockaddr *)&sin, sizeof sin) < 0 ||
        (type == SOCK_STREAM && listen(s, 64) < 0)) {
        perror("server: socket");
        exit(1);
    }
    return s;
}

static int port_of(int sock)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof sin;
    getsockname(sock, (struct sockaddr *)&sin, &len);
    return ntohs(sin.sin_port);
}

/* A transport on a Unix stream socket listening at `path`. */
static SVCXPRT *unix_transport(const char *path)
{
    struct sockaddr_un sun;
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    strncpy(sun.sun_path, path, sizeof sun.sun_path - 1);
    unlink(path);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    if (s < 0 || bind(s, (struct sockaddr *)&sun, sizeof sun) < 0 || listen(s, 64) < 0) {
        perror("server: unix socket");
        exit(1);
    }
    return svc_vc_create(s, 0, 0);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        SVCXPRT *local = unix_transport(argv[1]);
        if (!local || !svc_register(local, BENCH_PROG, BENCH_V1, bench_prog_1, 0)) {
            fprintf(stderr, "server: cannot serve on %s\n", argv[1]);
            return 1;
        }
    }
    int tcp_sock = loopback_socket(SOCK_STREAM), udp_sock = loopback_socket(SOCK_DGRAM);
    SVCXPRT *tcp = svctcp_create(tcp_sock, 0, 0);
    SVCXPRT *udp = svcudp_bufcreate(udp_sock, 65000, 65000);
    start_stdin_watchdog();
    if (!tcp || !udp || !svc_register(tcp, BENCH_PROG, BENCH_V1, bench_prog_1, 0) ||
        !svc_register(udp, BENCH_PROG, BENCH_V1, bench_prog_1, 0)) {
        fprintf(stderr, "server: cannot serve\n");
        return 1;
    }
    printf("%d %d\n", port_of(tcp_sock), port_of(udp_sock));
    fflush(stdout);
    svc_run();
    return 1;
}
