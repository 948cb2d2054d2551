/*
 * libtirpc server for call_models.x: the rpcgen-generated dispatcher on a
 * loopback TCP port the kernel picks. RECORD returns NULL, so the
 * dispatcher sends no reply (a one-way procedure, what batching needs).
 * Prints the port, serves until its stdin closes.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <rpc/rpc.h>

#include "call_models.h"

void call_models_1(struct svc_req *, SVCXPRT *);

static u_quad_t counter;
static u_int recorded, last;
static bool_t in_order = TRUE;

u_quad_t *increment_1_svc(u_quad_t *by, struct svc_req *req)
{
    (void)req;
    counter += *by;
    return &counter;
}

void *record_1_svc(u_int *seq, struct svc_req *req)
{
    (void)req;
    if (*seq != (recorded ? last + 1 : 0))
        in_order = FALSE;
    last = *seq;
    recorded++;
    return NULL;
}

log_summary *summary_1_svc(void *arg, struct svc_req *req)
{
    static log_summary summary;
    (void)arg;
    (void)req;
    summary.count = recorded;
    summary.in_order = in_order;
    return &summary;
}

int call_models_1_freeresult(SVCXPRT *t, xdrproc_t f, caddr_t r)
{
    (void)t;
    (void)f;
    (void)r;
    return 1;
}

/* tests/support/c/stdin_watchdog.c: exits when stdin closes. */
void start_stdin_watchdog(void);

int main(void)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof sin;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (s < 0 || bind(s, (struct sockaddr *)&sin, sizeof sin) < 0 || listen(s, 16) < 0) {
        perror("server: socket");
        return 1;
    }
    SVCXPRT *tcp = svctcp_create(s, 0, 0);
    if (!tcp || !svc_register(tcp, CALL_MODELS, CALL_MODELS_V1, call_models_1, 0)) {
        fprintf(stderr, "server: cannot serve\n");
        return 1;
    }
    start_stdin_watchdog();
    getsockname(s, (struct sockaddr *)&sin, &len);
    printf("%d\n", ntohs(sin.sin_port));
    fflush(stdout);
    svc_run();
    return 1;
}
