/*
 * libtirpc client for call_models.x: COUNT batched RECORD calls (no
 * result, zero timeout: libtirpc queues them in its record buffer), then
 * SUMMARY, whose call flushes the batch.
 *
 *   batch_client PORT COUNT
 *
 * Prints "COUNT IN_ORDER" from the SUMMARY reply.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rpc/rpc.h>

#include "call_models.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: batch_client PORT COUNT\n");
        return 64;
    }
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(atoi(argv[1]));
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int sock = RPC_ANYSOCK;
    CLIENT *clnt = clnttcp_create(&sin, CALL_MODELS, CALL_MODELS_V1, &sock, 0, 0);
    if (!clnt) {
        clnt_pcreateerror("batch_client");
        return 1;
    }
    struct timeval zero = {0, 0};
    u_int count = (u_int)atol(argv[2]);
    for (u_int seq = 0; seq < count; seq++) {
        if (clnt_call(clnt, RECORD, (xdrproc_t)xdr_u_int, (char *)&seq, NULL, NULL, zero) !=
            RPC_SUCCESS) {
            clnt_perror(clnt, "batch");
            return 1;
        }
    }
    log_summary *summary = summary_1(NULL, clnt);
    if (!summary) {
        clnt_perror(clnt, "summary");
        return 1;
    }
    printf("%u %d\n", summary->count, summary->in_order ? 1 : 0);
    return 0;
}
