/* treesum.c: the fixed summation tree over micro-batches (see treesum.h). The only
 * arithmetic is elementwise addition, one rounding per element, so the sums do not
 * depend on vectorisation, the machine or the rank that adds. */
#include <string.h>

#include "treesum.h"

void mlp_tree_reset(mlp_tree *t, size_t n, mlp_precision p, size_t len)
{
    /* spare buffers survive a reset: they are the caller's pool */
    size_t keep = t->nspare;
    void *spare[MLP_TREE_MAX];
    memcpy(spare, t->spare, keep * sizeof spare[0]);
    for (size_t i = 0; i < t->depth; i++)
        if (t->buf[i] && keep < MLP_TREE_MAX)
            spare[keep++] = t->buf[i];
    t->n = n;
    t->p = p;
    t->len = len;
    t->depth = 0;
    memcpy(t->spare, spare, keep * sizeof spare[0]);
    t->nspare = keep;
}

void *mlp_tree_take(mlp_tree *t)
{
    return t->nspare ? t->spare[--t->nspare] : NULL;
}

static void add_into(mlp_tree *t, void *dst, void *src)
{
    if (!dst || !src)
        return;
    if (t->add) {
        t->add(t->add_user, dst, src);
        return;
    }
    if (t->p == MLP_F32) {
        float *restrict d = dst;
        const float *restrict s = src;
        for (size_t i = 0; i < t->len; i++)
            d[i] += s[i];
    } else {
        double *restrict d = dst;
        const double *restrict s = src;
        for (size_t i = 0; i < t->len; i++)
            d[i] += s[i];
    }
}

/* the top two nodes A, B: A the left child of a node whose right child is B; at the
 * right edge (edge) B may be a node of a lower level that ends at n */
static bool siblings_on_top(const mlp_tree *t, bool edge)
{
    if (t->depth < 2)
        return false;
    mlp_tree_node a = t->node[t->depth - 2], b = t->node[t->depth - 1];
    if (a.lo % (2 * a.size) != 0 || b.lo != a.lo + a.size)
        return false;
    if (b.size == a.size)
        return true;
    return edge && b.size < a.size && b.lo + b.size >= t->n;
}

static void merge_top(mlp_tree *t)
{
    size_t top = --t->depth;
    add_into(t, t->buf[top - 1], t->buf[top]);
    if (t->buf[top] && t->nspare < MLP_TREE_MAX)
        t->spare[t->nspare++] = t->buf[top];
    t->buf[top] = NULL;
    t->node[top - 1].size *= 2;
}

void mlp_tree_push(mlp_tree *t, mlp_tree_node node, void *buf)
{
    t->node[t->depth] = node;
    t->buf[t->depth] = buf;
    t->depth++;
    while (siblings_on_top(t, false))
        merge_top(t);
}

void *mlp_tree_finish(mlp_tree *t)
{
    while (siblings_on_top(t, true))
        merge_top(t);
    return t->depth ? t->buf[0] : NULL;
}

size_t mlp_tree_pieces(size_t n, size_t a, size_t b, mlp_tree_node *out)
{
    mlp_tree t = {0};
    mlp_tree_reset(&t, n, MLP_F64, 0);
    for (size_t i = a; i < b; i++)
        mlp_tree_push(&t, (mlp_tree_node){.lo = i, .size = 1}, NULL);
    memcpy(out, t.node, t.depth * sizeof out[0]);
    return t.depth;
}

void mlp_tree_share(size_t n, int r, int size, size_t *a, size_t *b)
{
    *a = n * (size_t)r / (size_t)size;
    *b = n * (size_t)(r + 1) / (size_t)size;
}
