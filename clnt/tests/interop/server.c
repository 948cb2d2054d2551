/*
 * A libtirpc server for clnttest.x on loopback ports chosen by the kernel,
 * registered with no portmapper. Prints "TCP_PORT UDP_PORT" then serves
 * until its stdin closes (the test process holds the other end).
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <rpc/rpc.h>

#include "clnttest.h"

void clnttest_1(struct svc_req *, SVCXPRT *);
void clnttest_2(struct svc_req *, SVCXPRT *);

blob *echo_1_svc(blob *arg, struct svc_req *req)
{
    static blob result;
    (void)req;
    free(result.blob_val);
    result.blob_len = arg->blob_len;
    result.blob_val = malloc(arg->blob_len ? arg->blob_len : 1);
    memcpy(result.blob_val, arg->blob_val, arg->blob_len);
    return &result;
}

int *add_1_svc(pair *arg, struct svc_req *req)
{
    static int sum;
    (void)req;
    sum = arg->a + arg->b;
    return &sum;
}

int *add_v2_2_svc(pair *arg, struct svc_req *req)
{
    static int sum;
    (void)req;
    sum = 2 * (arg->a + arg->b);
    return &sum;
}

whoami_res *whoami_1_svc(void *arg, struct svc_req *req)
{
    static whoami_res res;
    static u_int gids[16];
    (void)arg;
    memset(&res, 0, sizeof res);
    res.flavor = req->rq_cred.oa_flavor;
    res.machine = "";
    if (req->rq_cred.oa_flavor == AUTH_SYS) {
        struct authunix_parms *p = (struct authunix_parms *)req->rq_clntcred;
        res.machine = p->aup_machname;
        res.uid = p->aup_uid;
        res.gid = p->aup_gid;
        for (u_int i = 0; i < p->aup_len && i < 16; i++)
            gids[i] = p->aup_gids[i];
        res.gids.gids_len = p->aup_len;
        res.gids.gids_val = gids;
    }
    return &res;
}

void *fail_1_svc(void *arg, struct svc_req *req)
{
    (void)arg;
    svcerr_systemerr(req->rq_xprt);
    return NULL;
}

void *weak_1_svc(void *arg, struct svc_req *req)
{
    (void)arg;
    svcerr_weakauth(req->rq_xprt);
    return NULL;
}

int clnttest_1_freeresult(SVCXPRT *t, xdrproc_t f, caddr_t r) { (void)t; (void)f; (void)r; return 1; }
int clnttest_2_freeresult(SVCXPRT *t, xdrproc_t f, caddr_t r) { (void)t; (void)f; (void)r; return 1; }

/* tests/support/c/stdin_watchdog.c: exits when stdin closes. */
void start_stdin_watchdog(void);

static int bound_socket(int type, int *port)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof sin;
    int s = socket(AF_INET, type, 0);
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || bind(s, (struct sockaddr *)&sin, sizeof sin) < 0) {
        perror("bind");
        exit(1);
    }
    if (type == SOCK_STREAM && listen(s, 64) < 0) {
        perror("listen");
        exit(1);
    }
    getsockname(s, (struct sockaddr *)&sin, &len);
    *port = ntohs(sin.sin_port);
    return s;
}

int main(void)
{
    int tcp_port, udp_port;
    start_stdin_watchdog();
    SVCXPRT *tcp = svctcp_create(bound_socket(SOCK_STREAM, &tcp_port), 0, 0);
    SVCXPRT *udp = svcudp_create(bound_socket(SOCK_DGRAM, &udp_port));
    if (!tcp || !udp) {
        fprintf(stderr, "cannot create transports\n");
        return 1;
    }
    /* Protocol 0: do not register with a portmapper. */
    if (!svc_register(tcp, CLNTTEST, CLNTTEST_V1, clnttest_1, 0) ||
        !svc_register(tcp, CLNTTEST, CLNTTEST_V2, clnttest_2, 0) ||
        !svc_register(udp, CLNTTEST, CLNTTEST_V1, clnttest_1, 0) ||
        !svc_register(udp, CLNTTEST, CLNTTEST_V2, clnttest_2, 0)) {
        fprintf(stderr, "cannot register\n");
        return 1;
    }
    printf("%d %d\n", tcp_port, udp_port);
    fflush(stdout);
    svc_run();
    return 1;
}
