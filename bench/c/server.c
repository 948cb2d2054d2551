/*
 * libtirpc server for bench.x: the rpcgen-generated dispatcher, TCP and UDP
 * on loopback ports the kernel picks, no portmapper. Prints "TCP UDP",
 * serves until its stdin closes.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int bench_prog_1_freeresult(SVCXPRT *t, xdrproc_t f, caddr_t r)
{
    (void)t;
    (void)f;
    (void)r;
    return 1;
}

static void *exit_on_stdin_eof(void *arg)
{
    char c;
    (void)arg;
    while (read(0, &c, 1) > 0)
        ;
    _exit(0);
}

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

int main(void)
{
    pthread_t watchdog;
    int tcp_sock = loopback_socket(SOCK_STREAM), udp_sock = loopback_socket(SOCK_DGRAM);
    SVCXPRT *tcp = svctcp_create(tcp_sock, 0, 0);
    SVCXPRT *udp = svcudp_bufcreate(udp_sock, 65000, 65000);
    pthread_create(&watchdog, NULL, exit_on_stdin_eof, NULL);
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
