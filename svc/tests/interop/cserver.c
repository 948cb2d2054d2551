/*
 * The libtirpc server baseline for performance comparisons: exports
 * SVCTEST_PROG version 1 (NULL and ECHO only) over TCP and UDP on ports
 * the system picks, without the portmapper (svc_register with protocol 0),
 * prints "tcp=PORT udp=PORT" and serves until killed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <rpc/rpc.h>
#include "svctest.h"

static void dispatch(struct svc_req *req, SVCXPRT *xprt)
{
    data arg, *res = &arg;
    switch (req->rq_proc) {
    case SVCTEST_NULL:
        svc_sendreply(xprt, (xdrproc_t)xdr_void, NULL);
        return;
    case SVCTEST_ECHO:
        memset(&arg, 0, sizeof arg);
        if (!svc_getargs(xprt, (xdrproc_t)xdr_data, (caddr_t)&arg)) {
            svcerr_decode(xprt);
            return;
        }
        svc_sendreply(xprt, (xdrproc_t)xdr_data, (caddr_t)res);
        svc_freeargs(xprt, (xdrproc_t)xdr_data, (caddr_t)&arg);
        return;
    default:
        svcerr_noproc(xprt);
    }
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
    SVCXPRT *tcp = svctcp_create(RPC_ANYSOCK, 0, 0);
    SVCXPRT *udp = svcudp_bufcreate(RPC_ANYSOCK, 65000, 65000);
    if (!tcp || !udp) {
        fprintf(stderr, "cserver: cannot create transports\n");
        return 1;
    }
    if (!svc_register(tcp, SVCTEST_PROG, SVCTEST_V1, dispatch, 0) ||
        !svc_register(udp, SVCTEST_PROG, SVCTEST_V1, dispatch, 0)) {
        fprintf(stderr, "cserver: cannot register\n");
        return 1;
    }
    printf("tcp=%d udp=%d\n", port_of(tcp->xp_fd), port_of(udp->xp_fd));
    fflush(stdout);
    svc_run();
    return 1;
}
