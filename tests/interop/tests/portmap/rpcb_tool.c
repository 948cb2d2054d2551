/*
 * Raw SET and UNSET calls to a portmapper, to test who may make them:
 *
 *   rpcb_tool SERVER NETID VERS set|unset PROG PVERS RNETID RADDR
 *
 * SERVER is the path of a local socket or an IPv4 address (port 111),
 * reached over NETID (local, tcp or udp) with a reserved source port when
 * the caller may bind one, as libtirpc's clnt_tli_create does. VERS 2
 * sends portmap SET/UNSET (RNETID tcp or udp, RADDR the port); VERS 3 or 4
 * sends rpcbind SET/UNSET of (PROG, PVERS, RNETID, RADDR). Prints the
 * boolean answer ("true" or "false") and exits 0, or prints libtirpc's
 * error and exits 1.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>
#include <netconfig.h>
#include <rpc/rpc.h>
#include <rpc/pmap_prot.h>
#include <rpc/rpcb_prot.h>

int main(int argc, char **argv)
{
    struct timeval timeout = {5, 0};
    struct sockaddr_un sun;
    struct sockaddr_in sin;
    struct netbuf server;
    struct netconfig *nconf;
    CLIENT *clnt;
    enum clnt_stat stat;
    bool_t answer = FALSE;
    char owner[32];
    int vers, set;

    if (argc != 9) {
        fprintf(stderr, "usage: rpcb_tool SERVER NETID VERS set|unset PROG PVERS RNETID RADDR\n");
        return 2;
    }
    vers = atoi(argv[3]);
    set = strcmp(argv[4], "set") == 0;
    nconf = getnetconfigent(argv[2]);
    if (nconf == NULL) {
        fprintf(stderr, "rpcb_tool: unknown netid %s\n", argv[2]);
        return 2;
    }
    if (argv[1][0] == '/') {
        memset(&sun, 0, sizeof sun);
        sun.sun_family = AF_LOCAL;
        strncpy(sun.sun_path, argv[1], sizeof sun.sun_path - 1);
        server.buf = &sun;
        server.len = server.maxlen = sizeof sun;
    } else {
        memset(&sin, 0, sizeof sin);
        sin.sin_family = AF_INET;
        sin.sin_port = htons(111);
        if (inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1) {
            fprintf(stderr, "rpcb_tool: bad address %s\n", argv[1]);
            return 2;
        }
        server.buf = &sin;
        server.len = server.maxlen = sizeof sin;
    }
    clnt = clnt_tli_create(RPC_ANYFD, nconf, &server, vers == 2 ? PMAPPROG : RPCBPROG, vers, 0, 0);
    if (clnt == NULL) {
        clnt_pcreateerror("rpcb_tool");
        return 1;
    }
    if (vers == 2) {
        struct pmap map;
        map.pm_prog = strtoul(argv[5], NULL, 0);
        map.pm_vers = strtoul(argv[6], NULL, 0);
        map.pm_prot = strcmp(argv[7], "udp") == 0 ? IPPROTO_UDP : IPPROTO_TCP;
        map.pm_port = strtoul(argv[8], NULL, 0);
        stat = clnt_call(clnt, set ? PMAPPROC_SET : PMAPPROC_UNSET, (xdrproc_t)xdr_pmap,
                         (char *)&map, (xdrproc_t)xdr_bool, (char *)&answer, timeout);
    } else {
        RPCB reg;
        snprintf(owner, sizeof owner, "%u", (unsigned)getuid());
        reg.r_prog = strtoul(argv[5], NULL, 0);
        reg.r_vers = strtoul(argv[6], NULL, 0);
        reg.r_netid = argv[7];
        reg.r_addr = argv[8];
        reg.r_owner = owner;
        stat = clnt_call(clnt, set ? RPCBPROC_SET : RPCBPROC_UNSET, (xdrproc_t)xdr_rpcb,
                         (char *)&reg, (xdrproc_t)xdr_bool, (char *)&answer, timeout);
    }
    if (stat != RPC_SUCCESS) {
        clnt_perror(clnt, "rpcb_tool");
        return 1;
    }
    printf("%s\n", answer ? "true" : "false");
    return 0;
}
