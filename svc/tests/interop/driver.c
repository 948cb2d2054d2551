/*
 * libtirpc client driver for the svc interop tests.
 *
 *   driver PROTO PORT COMMAND...
 *
 * PROTO is tcp or udp; the server is 127.0.0.1:PORT (clients are created
 * directly on the port: no portmapper is involved). Each COMMAND (words
 * joined by ':') makes a new client, performs one call and prints one line
 * "NAME stat=N err=TEXT key=value...", which the Rust test parses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <rpc/rpc.h>
#include "svctest.h"

static const char *proto;
static int port;
static struct timeval timeout = {10, 0};

static CLIENT *make(u_long prog, u_long vers)
{
    struct sockaddr_in sin;
    int sock = RPC_ANYSOCK;
    CLIENT *clnt;

    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (strcmp(proto, "tcp") == 0) {
        clnt = clnttcp_create(&sin, prog, vers, &sock, 0, 0);
    } else {
        struct timeval wait = {1, 0};
        clnt = clntudp_bufcreate(&sin, prog, vers, wait, &sock, 65000, 65000);
    }
    if (clnt == NULL) {
        clnt_pcreateerror("driver: client create");
        exit(2);
    }
    return clnt;
}

static void report(const char *name, CLIENT *clnt, enum clnt_stat stat)
{
    struct rpc_err err;

    clnt_geterr(clnt, &err);
    printf("%s stat=%d err=%s", name, (int)stat, clnt_sperrno(stat));
    if (stat == RPC_PROGVERSMISMATCH)
        printf(" low=%lu high=%lu", (unsigned long)err.re_vers.low,
               (unsigned long)err.re_vers.high);
    if (stat == RPC_AUTHERROR)
        printf(" why=%d", (int)err.re_why);
}

static void run(char *command)
{
    char *words[4] = {0};
    int n = 0;
    for (char *w = strtok(command, ":"); w && n < 4; w = strtok(NULL, ":"))
        words[n++] = w;
    const char *name = words[0];
    CLIENT *clnt;
    enum clnt_stat stat;

    if (strcmp(name, "null") == 0) {
        clnt = make(SVCTEST_PROG, SVCTEST_V1);
        stat = clnt_call(clnt, SVCTEST_NULL, (xdrproc_t)xdr_void, NULL, (xdrproc_t)xdr_void, NULL, timeout);
        report(name, clnt, stat);
    } else if (strcmp(name, "echo") == 0) {
        u_int size = (u_int)strtoul(words[1], NULL, 0);
        data arg, res;
        arg.data_len = size;
        arg.data_val = malloc(size + 1);
        for (u_int i = 0; i < size; i++)
            arg.data_val[i] = (char)(i * 7 + 3);
        memset(&res, 0, sizeof res);
        clnt = make(SVCTEST_PROG, SVCTEST_V1);
        stat = clnt_call(clnt, SVCTEST_ECHO, (xdrproc_t)xdr_data, (caddr_t)&arg, (xdrproc_t)xdr_data, (caddr_t)&res, timeout);
        report(name, clnt, stat);
        if (stat == RPC_SUCCESS)
            printf(" len=%u same=%d", res.data_len,
                   res.data_len == size && memcmp(res.data_val, arg.data_val, size) == 0);
        xdr_free((xdrproc_t)xdr_data, (caddr_t)&res);
        free(arg.data_val);
    } else if (strcmp(name, "add") == 0 || strcmp(name, "add2") == 0) {
        add_args arg = {atoi(words[1]), atoi(words[2])};
        int res = 0;
        clnt = make(SVCTEST_PROG, name[3] == '2' ? SVCTEST_V2 : SVCTEST_V1);
        stat = clnt_call(clnt, SVCTEST_ADD, (xdrproc_t)xdr_add_args, (caddr_t)&arg, (xdrproc_t)xdr_int, (caddr_t)&res, timeout);
        report(name, clnt, stat);
        if (stat == RPC_SUCCESS)
            printf(" result=%d", res);
    } else if (strcmp(name, "garbage") == 0) {
        /* ADD with one int instead of two: the server answers GARBAGE_ARGS. */
        int one = 1;
        clnt = make(SVCTEST_PROG, SVCTEST_V1);
        stat = clnt_call(clnt, SVCTEST_ADD, (xdrproc_t)xdr_int, (caddr_t)&one, (xdrproc_t)xdr_void, NULL, timeout);
        report(name, clnt, stat);
    } else if (strcmp(name, "procunavail") == 0) {
        clnt = make(SVCTEST_PROG, SVCTEST_V1);
        stat = clnt_call(clnt, 99, (xdrproc_t)xdr_void, NULL, (xdrproc_t)xdr_void, NULL, timeout);
        report(name, clnt, stat);
    } else if (strcmp(name, "versmismatch") == 0) {
        clnt = make(SVCTEST_PROG, 7);
        stat = clnt_call(clnt, 0, (xdrproc_t)xdr_void, NULL, (xdrproc_t)xdr_void, NULL, timeout);
        report(name, clnt, stat);
    } else if (strcmp(name, "progunavail") == 0) {
        clnt = make(SVCTEST_PROG + 1, 1);
        stat = clnt_call(clnt, 0, (xdrproc_t)xdr_void, NULL, (xdrproc_t)xdr_void, NULL, timeout);
        report(name, clnt, stat);
    } else if (strcmp(name, "fail") == 0 || strcmp(name, "deny") == 0) {
        clnt = make(SVCTEST_PROG, SVCTEST_V1);
        stat = clnt_call(clnt, name[0] == 'f' ? SVCTEST_FAIL : SVCTEST_DENY, (xdrproc_t)xdr_void, NULL, (xdrproc_t)xdr_void, NULL, timeout);
        report(name, clnt, stat);
    } else if (strcmp(name, "whoami") == 0) {
        gid_t gids[3] = {7, 8, 9};
        whoami_res res;
        memset(&res, 0, sizeof res);
        clnt = make(SVCTEST_PROG, SVCTEST_V1);
        auth_destroy(clnt->cl_auth);
        clnt->cl_auth = authunix_create("interop-host", 4242, 4343, 3, gids);
        stat = clnt_call(clnt, SVCTEST_WHOAMI, (xdrproc_t)xdr_void, NULL, (xdrproc_t)xdr_whoami_res, (caddr_t)&res, timeout);
        report(name, clnt, stat);
        if (stat == RPC_SUCCESS) {
            printf(" flavor=%u stamp=%u machine=%s uid=%u gid=%u gids=", res.flavor, res.stamp,
                   res.machine, res.uid, res.gid);
            for (u_int i = 0; i < res.gids.gids_len; i++)
                printf("%s%u", i ? "," : "", res.gids.gids_val[i]);
            printf(" transport=%u peer_pid=%d", res.transport, res.peer_pid);
        }
        xdr_free((xdrproc_t)xdr_whoami_res, (caddr_t)&res);
    } else {
        fprintf(stderr, "driver: unknown command %s\n", name);
        exit(2);
    }
    printf("\n");
    fflush(stdout);
    clnt_destroy(clnt);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: driver tcp|udp PORT COMMAND...\n");
        return 2;
    }
    proto = argv[1];
    port = atoi(argv[2]);
    for (int i = 3; i < argc; i++)
        run(argv[i]);
    return 0;
}
