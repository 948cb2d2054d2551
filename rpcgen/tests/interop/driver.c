/*
 * Encodes the samples with the XDR routines the system rpcgen -N generated
 * from everything.x, or decodes and re-encodes what it reads, with libtirpc.
 *
 *   driver encode N    write sample N's encoding to stdout
 *   driver reencode    read one encoding from stdin, decode, encode, write
 *
 * The Rust side builds the same samples in tests/c_interop.rs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <rpc/rpc.h>

#include "everything.h"

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
    p->f = which == 1 ? -1.5f : 0.25f;
    p->d = which == 1 ? 1e300 : -2.5;
    p->c = which == 1 ? NEGATIVE : BLUE;
}

static node *make_list(int n)
{
    node *head = NULL;
    for (int k = n; k >= 1; k--) {
        node *nd = calloc(1, sizeof *nd);
        nd->value = k * 10;
        nd->tag = k % 2 ? "odd" : "even";
        nd->next = head;
        head = nd;
    }
    return head;
}

static void fill_sample(everything *a, int which)
{
    static char blob[5] = {9, 8, 7, 6, 5};
    static char small[4] = {(char)0xff, 0, (char)0xff, 0};
    static int var_ints[4] = {5, 6, 7, 8};
    static pair more[3] = {{1, 1}, {2, 2}, {3, 3}};
    static char *names[3] = {"a", "", "xyz"};
    static by_enum e1[4];
    static by_int e2[6];
    static by_unsigned e3[2];
    static by_bool e4[2];
    static result e5[3];
    static tree kids[2], grandkid;
    static pair maybe_pair = {5, 6};
    static int maybe_one = 42, maybe_two = -1;
    static color colors[4] = {RED, GREEN, BLUE, NEGATIVE};

    memset(a, 0, sizeof *a);
    fill_prims(&a->p, which);
    a->name = "";
    a->any = "";
    a->t.label = "";
    a->chain.tag = "";
    if (which == 0)
        return;
    int one = which == 1;

    memcpy(a->hash, one ? "\x01\x02\x03\x04\x05\x06" : "abcdef", 6);
    a->blob.blob_t_val = blob;
    a->blob.blob_t_len = one ? 5 : 1;
    a->small.small_val = small;
    a->small.small_len = one ? 4 : 3;
    a->name = one ? "sixteen chars!!!" : "caf\xc3\xa9";
    a->any = one ? "" : "a longer string, unbounded\n\t";
    a->fixed_ints[0] = one ? -1 : 1;
    a->fixed_ints[1] = one ? 0 : 2;
    a->fixed_ints[2] = one ? INT32_MAX : 3;
    a->var_ints.ints_t_val = var_ints;
    a->var_ints.ints_t_len = one ? 4 : 0;
    a->pairs[0].a = one ? 1 : 7;
    a->pairs[0].b = one ? 2 : 8;
    a->pairs[1].a = one ? -3 : 9;
    a->pairs[1].b = one ? -4 : 10;
    a->more_pairs.more_pairs_val = more;
    a->more_pairs.more_pairs_len = one ? 3 : 1;
    a->names.names_val = names;
    a->names.names_len = one ? 3 : 2;

    e1[0].c = RED;
    e1[0].by_enum_u.radius = -7;
    e1[1].c = GREEN;
    e1[2].c = BLUE;
    e1[2].by_enum_u.label = "blue";
    e1[3].c = NEGATIVE;
    e1[3].by_enum_u.label = "";
    a->e1.e1_val = e1;
    a->e1.e1_len = one ? 4 : 2;

    e2[0].d = 1;
    e2[0].by_int_u.two = INT64_MAX;
    e2[1].d = 2;
    e2[1].by_int_u.two = -1;
    e2[2].d = -3;
    e2[3].d = 10;
    e2[4].d = 11;
    e2[5].d = 42;
    e2[5].by_int_u.text = "forty-two";
    a->e2.e2_val = e2;
    a->e2.e2_len = one ? 6 : 3;

    e3[0].d = 0xffffffffu;
    e3[0].by_unsigned_u.max = UINT64_MAX;
    e3[1].d = 0;
    a->e3.e3_val = e3;
    a->e3.e3_len = one ? 2 : 1;

    e4[0].b = TRUE;
    fill_prims(&e4[0].by_bool_u.p, 3 - which);
    e4[1].b = FALSE;
    a->e4.e4_val = e4;
    a->e4.e4_len = one ? 2 : 1;

    e5[0].s = OK;
    memcpy(e5[0].result_u.hash, "hashed", 6);
    e5[1].s = NOT_FOUND;
    e5[2].s = DENIED;
    a->e5.e5_val = e5;
    a->e5.e5_len = one ? 3 : 1;

    a->list = make_list(one ? 3 : 1);
    a->chain.value = -5;
    a->chain.tag = "head";
    a->chain.next = make_list(one ? 2 : 0);

    a->t.label = "root";
    if (one) {
        grandkid.label = "a1";
        kids[0].label = "a";
        kids[0].children.trees_val = &grandkid;
        kids[0].children.trees_len = 1;
        kids[1].label = "b";
        a->t.children.trees_val = kids;
        a->t.children.trees_len = 2;
    }
    a->maybe_pair = one ? &maybe_pair : NULL;
    a->maybe_int = one ? &maybe_one : &maybe_two;
    a->colors.colors_val = colors;
    a->colors.colors_len = one ? 4 : 1;
    a->flags[0] = one ? TRUE : FALSE;
    a->flags[1] = one ? FALSE : TRUE;
}

static int write_encoding(everything *a)
{
    static char buf[BUF_SIZE];
    XDR xdrs;
    xdrmem_create(&xdrs, buf, sizeof buf, XDR_ENCODE);
    if (!xdr_everything(&xdrs, a)) {
        fprintf(stderr, "driver: xdr_everything failed to encode\n");
        return 1;
    }
    fwrite(buf, 1, xdr_getpos(&xdrs), stdout);
    return 0;
}

int main(int argc, char **argv)
{
    everything a;
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
        if (!xdr_everything(&xdrs, &a)) {
            fprintf(stderr, "driver: xdr_everything failed to decode\n");
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
