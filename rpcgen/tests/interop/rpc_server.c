/*
 * A libtirpc server for everything.x, with the dispatchers the system
 * `rpcgen -N -m` generates: versions 1 and 2 on loopback TCP and UDP ports
 * the kernel picks, no portmapper. Prints "TCP UDP" and serves until its
 * stdin closes. Procedures as in rpc_interop.rs: ECHO returns its argument,
 * ADD sums, CONCAT repeats a then b `times` times, CHECK compares a pair.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <rpc/rpc.h>

#include "everything.h"

void everything_prog_1(struct svc_req *, SVCXPRT *);
void everything_prog_2(struct svc_req *, SVCXPRT *);

static char nothing;

void *everything_null_1_svc(struct svc_req *req)
{
    (void)req;
    return &nothing;
}

everything *echo_1_svc(everything arg, struct svc_req *req)
{
    /* The argument lives until the reply is sent: return it as is. */
    static everything result;
    (void)req;
    result = arg;
    return &result;
}

int *add_1_svc(int a, int b, struct svc_req *req)
{
    static int sum;
    (void)req;
    sum = (int)((unsigned)a + (unsigned)b);
    return &sum;
}

name_t *concat_1_svc(name_t a, name_t b, int_t times, struct svc_req *req)
{
    static char buf[BIG + 1];
    static name_t result;
    size_t len = 0;
    (void)req;
    for (int i = 0; i < times; i++) {
        size_t la = strlen(a), lb = strlen(b);
        if (len + la + lb > BIG)
            break;
        memcpy(buf + len, a, la);
        memcpy(buf + len + la, b, lb);
        len += la + lb;
    }
    buf[len] = 0;
    result = buf;
    return &result;
}

void *ping_1_svc(struct svc_req *req)
{
    (void)req;
    return &nothing;
}

status_t *check_2_svc(pair p, struct svc_req *req)
{
    static status_t result;
    (void)req;
    result = p.a < p.b ? OK : p.a == p.b ? NOT_FOUND : DENIED;
    return &result;
}

int everything_prog_1_freeresult(SVCXPRT *t, xdrproc_t f, caddr_t r)
{
    (void)t;
    (void)f;
    (void)r;
    return 1;
}

int everything_prog_2_freeresult(SVCXPRT *t, xdrproc_t f, caddr_t r)
{
    (void)t;
    (void)f;
    (void)r;
    return 1;
}

/* tests/support/c/stdin_watchdog.c: exits when stdin closes. */
void start_stdin_watchdog(void);

static int loopback_socket(int type, int *port)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof sin;
    int s = socket(AF_INET, type, 0);
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || bind(s, (struct sockaddr *)&sin, sizeof sin) < 0 ||
        (type == SOCK_STREAM && listen(s, 16) < 0)) {
        perror("rpc_server: socket");
        exit(1);
    }
    getsockname(s, (struct sockaddr *)&sin, &len);
    *port = ntohs(sin.sin_port);
    return s;
}

int main(void)
{
    int tcp_port, udp_port;
    SVCXPRT *tcp = svctcp_create(loopback_socket(SOCK_STREAM, &tcp_port), 0, 0);
    SVCXPRT *udp = svcudp_bufcreate(loopback_socket(SOCK_DGRAM, &udp_port), 65000, 65000);
    start_stdin_watchdog();
    if (!tcp || !udp ||
        !svc_register(tcp, EVERYTHING_PROG, EVERYTHING_V1, everything_prog_1, 0) ||
        !svc_register(tcp, EVERYTHING_PROG, EVERYTHING_V2, everything_prog_2, 0) ||
        !svc_register(udp, EVERYTHING_PROG, EVERYTHING_V1, everything_prog_1, 0) ||
        !svc_register(udp, EVERYTHING_PROG, EVERYTHING_V2, everything_prog_2, 0)) {
        fprintf(stderr, "rpc_server: cannot serve\n");
        return 1;
    }
    printf("%d %d\n", tcp_port, udp_port);
    fflush(stdout);
    svc_run();
    return 1;
}
