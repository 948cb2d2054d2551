/*
 * A libtirpc client for everything.x using the stubs the system
 * `rpcgen -N -l` generates.
 *
 *   rpc_client tcp|udp PORT echo           XDR `everything` on stdin; the
 *                                          echoed value's XDR on stdout
 *   rpc_client tcp|udp PORT add A B        prints the sum
 *   rpc_client tcp|udp PORT concat A B N   prints the string
 *   rpc_client tcp|udp PORT ping
 *   rpc_client tcp|udp PORT check A B      version 2; prints the status
 *
 * On an RPC error prints the clnt_stat number to stderr and exits 3.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rpc/rpc.h>

#include "everything.h"

#define BUF (1 << 20)

static CLIENT *connect_to(const char *proto, int port, u_long vers)
{
    struct sockaddr_in sin;
    struct timeval wait = {10, 0};
    int sock = RPC_ANYSOCK;
    CLIENT *clnt;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    clnt = strcmp(proto, "udp") == 0
               ? clntudp_bufcreate(&sin, EVERYTHING_PROG, vers, wait, &sock, 65000, 65000)
               : clnttcp_create(&sin, EVERYTHING_PROG, vers, &sock, 0, 0);
    if (!clnt) {
        clnt_pcreateerror("rpc_client");
        exit(2);
    }
    return clnt;
}

static void fail(CLIENT *clnt)
{
    struct rpc_err err;
    clnt_geterr(clnt, &err);
    fprintf(stderr, "%d %s\n", (int)err.re_status, clnt_sperrno(err.re_status));
    exit(3);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: rpc_client tcp|udp PORT COMMAND ...\n");
        return 64;
    }
    const char *proto = argv[1], *command = argv[3];
    int port = atoi(argv[2]);
    CLIENT *clnt = connect_to(proto, port, strcmp(command, "check") == 0 ? EVERYTHING_V2 : EVERYTHING_V1);

    if (strcmp(command, "echo") == 0) {
        static char in[BUF], out[BUF];
        size_t n = fread(in, 1, sizeof in, stdin);
        everything arg;
        XDR xdrs;
        memset(&arg, 0, sizeof arg);
        xdrmem_create(&xdrs, in, n, XDR_DECODE);
        if (!xdr_everything(&xdrs, &arg)) {
            fprintf(stderr, "rpc_client: cannot decode the argument\n");
            return 4;
        }
        everything *res = echo_1(arg, clnt);
        if (!res)
            fail(clnt);
        xdrmem_create(&xdrs, out, sizeof out, XDR_ENCODE);
        if (!xdr_everything(&xdrs, res)) {
            fprintf(stderr, "rpc_client: cannot encode the result\n");
            return 4;
        }
        fwrite(out, 1, xdr_getpos(&xdrs), stdout);
    } else if (strcmp(command, "add") == 0 && argc == 6) {
        int *sum = add_1(atoi(argv[4]), atoi(argv[5]), clnt);
        if (!sum)
            fail(clnt);
        printf("%d\n", *sum);
    } else if (strcmp(command, "concat") == 0 && argc == 7) {
        name_t *s = concat_1(argv[4], argv[5], atoi(argv[6]), clnt);
        if (!s)
            fail(clnt);
        printf("%s\n", *s);
    } else if (strcmp(command, "ping") == 0) {
        if (!ping_1(clnt))
            fail(clnt);
        printf("pong\n");
    } else if (strcmp(command, "check") == 0 && argc == 6) {
        pair p;
        p.a = atoi(argv[4]);
        p.b = atoi(argv[5]);
        status_t *st = check_2(p, clnt);
        if (!st)
            fail(clnt);
        printf("%d\n", (int)*st);
    } else {
        fprintf(stderr, "rpc_client: bad command\n");
        return 64;
    }
    clnt_destroy(clnt);
    return 0;
}
