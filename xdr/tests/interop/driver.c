/*
 * Encodes the samples with the XDR routines rpcgen generated from
 * alltypes.x, or decodes and re-encodes what it reads, using libtirpc.
 *
 *   driver encode N    write sample N's encoding to stdout
 *   driver reencode    read one encoding from stdin, decode, encode, write
 */
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rpc/rpc.h>

#include "alltypes.h"

#define BUF_SIZE (1 << 20)

static void fill_prims(prims *p, int which)
{
    memset(p, 0, sizeof *p);
    if (which == 0)
        return;
    p->i = which == 1 ? INT32_MIN : 123456;
    p->u = which == 1 ? UINT32_MAX : 7;
    p->h = which == 1 ? INT64_MIN : -99;
    p->uh = which == 1 ? UINT64_MAX : 0x0123456789abcdefULL;
    p->b = TRUE;
    p->f = which == 1 ? -1.5f : -0.0f;
    p->d = which == 1 ? 1e300 : DBL_MIN;
    p->c = which == 1 ? BLUE : GREEN;
    for (int k = 0; k < 16; k++)
        p->q[k] = (char)(which * 16 + k);
}

static node *make_list(int n)
{
    node *head = NULL;
    for (int k = n; k >= 1; k--) {
        node *nd = calloc(1, sizeof *nd);
        nd->value = k * 10;
        nd->next = head;
        head = nd;
    }
    return head;
}

static void fill_sample(alltypes *a, int which)
{
    static int maybe_value = 42;
    static prims extra;
    static shape shapes[4];
    static u_quad_t var_arr[10];
    static char var_op[MAXNAME];

    memset(a, 0, sizeof *a);
    fill_prims(&a->p, which);
    a->name = "";
    a->unbounded = "";
    a->res.status = 0;
    if (which == 0)
        return;

    memcpy(a->fixed_op, "abcde", 5);
    memset(var_op, 0xff, sizeof var_op);
    a->var_op.var_op_val = var_op;
    a->var_op.var_op_len = which == 1 ? MAXNAME : 3;
    a->name = which == 1 ? "abcdefghijklmnopqrstuvwxyz012345" : "caf\xc3\xa9 \xff";
    a->unbounded = "a longer string, unbounded\n\t";
    a->fixed_arr[0] = -1;
    a->fixed_arr[1] = 0;
    a->fixed_arr[2] = INT32_MAX;
    for (int k = 0; k < 10; k++)
        var_arr[k] = (u_quad_t)k * 0x0101010101010101ULL;
    a->var_arr.var_arr_val = var_arr;
    a->var_arr.var_arr_len = which == 1 ? 10 : 1;

    shapes[0].kind = RED;
    shapes[0].shape_u.radius = -7;
    shapes[1].kind = GREEN;
    shapes[2].kind = BLUE;
    shapes[2].shape_u.label = "sixteen chars!!!";
    shapes[3].kind = BLUE;
    shapes[3].shape_u.label = "";
    a->shapes.shapes_val = shapes;
    a->shapes.shapes_len = which == 1 ? 3 : 4;

    if (which == 1) {
        static char code[3] = {1, 2, 3};
        a->res.status = 2;
        a->res.outcome_u.code.code_val = code;
        a->res.outcome_u.code.code_len = 3;
    } else {
        a->res.status = 1;
    }
    a->list = make_list(which == 1 ? 3 : 1);
    a->maybe = &maybe_value;
    fill_prims(&extra, 3 - which);
    a->opt_prims = which == 1 ? &extra : NULL;
}

static int write_encoding(alltypes *a)
{
    static char buf[BUF_SIZE];
    XDR xdrs;
    xdrmem_create(&xdrs, buf, sizeof buf, XDR_ENCODE);
    if (!xdr_alltypes(&xdrs, a)) {
        fprintf(stderr, "driver: xdr_alltypes failed to encode\n");
        return 1;
    }
    fwrite(buf, 1, xdr_getpos(&xdrs), stdout);
    return 0;
}

int main(int argc, char **argv)
{
    alltypes a;
    if (argc == 3 && strcmp(argv[1], "encode") == 0) {
        fill_sample(&a, atoi(argv[2]));
        return write_encoding(&a);
    }
    if (argc == 2 && strcmp(argv[1], "reencode") == 0) {
        static char in[BUF_SIZE];
        size_t n = fread(in, 1, sizeof in, stdin);
        XDR xdrs;
        memset(&a, 0, sizeof a);
        xdrmem_create(&xdrs, in, n, XDR_DECODE);
        if (!xdr_alltypes(&xdrs, &a)) {
            fprintf(stderr, "driver: xdr_alltypes failed to decode\n");
            return 2;
        }
        if (xdr_getpos(&xdrs) != n) {
            fprintf(stderr, "driver: %u of %zu bytes decoded\n", xdr_getpos(&xdrs), n);
            return 3;
        }
        return write_encoding(&a);
    }
    fprintf(stderr, "usage: driver encode N | driver reencode\n");
    return 64;
}
