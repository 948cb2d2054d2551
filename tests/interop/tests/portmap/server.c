/*
 * A libtirpc server of pmtest.x that registers with the portmapper the
 * way C programs do: `server svc_create` through svc_create(3) on every
 * visible transport (rpcbind v3 SET over the local socket); `server pmap
 * [TCPPORT UDPPORT]` on sockets from svctcp_create/svcudp_create (bound to
 * those ports, or any), advertised with pmap_set. Prints "ready" once
 * registered. On SIGTERM it unregisters (svc_unreg
 * or pmap_unset), prints "unregistered" and exits 0.
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <rpc/rpc.h>
#include <rpc/pmap_clnt.h>

#include "pmtest.h"

void pmtest_prog_1(struct svc_req *, SVCXPRT *);

int *twice_1_svc(int *arg, struct svc_req *req)
{
    static int result;
    (void)req;
    result = 2 * *arg;
    return &result;
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

/* A socket bound to `port` on every address, or RPC_ANYSOCK for port 0. */
static int bound(int type, int port)
{
    struct sockaddr_in sin;
    int one = 1, s;
    if (port == 0)
        return RPC_ANYSOCK;
    s = socket(AF_INET, type, 0);
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (s < 0 || bind(s, (struct sockaddr *)&sin, sizeof sin) < 0 ||
        (type == SOCK_STREAM && listen(s, 64) < 0)) {
        perror("server: bind");
        exit(1);
    }
    return s;
}

static int legacy(int tcp_port, int udp_port)
{
    SVCXPRT *tcp = svctcp_create(bound(SOCK_STREAM, tcp_port), 0, 0);
    SVCXPRT *udp = svcudp_create(bound(SOCK_DGRAM, udp_port));
    if (!tcp || !udp) {
        fprintf(stderr, "server: cannot create sockets\n");
        return 0;
    }
    pmap_unset(PMTEST_PROG, PMTEST_VERS);
    if (!svc_register(tcp, PMTEST_PROG, PMTEST_VERS, pmtest_prog_1, 0) ||
        !svc_register(udp, PMTEST_PROG, PMTEST_VERS, pmtest_prog_1, 0)) {
        fprintf(stderr, "server: svc_register failed\n");
        return 0;
    }
    if (!pmap_set(PMTEST_PROG, PMTEST_VERS, IPPROTO_TCP, tcp->xp_port) ||
        !pmap_set(PMTEST_PROG, PMTEST_VERS, IPPROTO_UDP, udp->xp_port)) {
        fprintf(stderr, "server: pmap_set failed\n");
        return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    struct sigaction sa;
    int pmap = argc > 1 && strcmp(argv[1], "pmap") == 0;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_term; /* no SA_RESTART: poll returns EINTR */
    sigaction(SIGTERM, &sa, NULL);
    if (pmap ? !legacy(argc > 3 ? atoi(argv[2]) : 0, argc > 3 ? atoi(argv[3]) : 0) : svc_create(pmtest_prog_1, PMTEST_PROG, PMTEST_VERS, "netpath") == 0) {
        fprintf(stderr, "server: cannot register\n");
        return 1;
    }
    printf("ready\n");
    fflush(stdout);
    while (!stop) {
        int n = poll(svc_pollfd, svc_max_pollfd, 100);
        if (n > 0)
            svc_getreq_poll(svc_pollfd, n);
    }
    if (pmap)
        pmap_unset(PMTEST_PROG, PMTEST_VERS);
    else
        svc_unreg(PMTEST_PROG, PMTEST_VERS);
    printf("unregistered\n");
    fflush(stdout);
    return 0;
}
