/* test_treesum.c: the fixed summation tree (src/treesum.c) against stride-doubling
 * pairwise summation written out here, for every count of micro-batches 1..80 and
 * every way of sharing them over 1..9 ranks (as src/dist.c shares them): each rank
 * pushes its micro-batches, the pieces it keeps are those mlp_tree_pieces predicts,
 * and all ranks' pieces pushed onto one tree give the reference's bits. The values are
 * random with magnitudes spread over 2^-20..2^20, so that another order of additions
 * would show in the last bits; a sanity case checks that it does. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "expect.h"
#include "treesum.h"

enum { MAX_N = 80, LEN = 7, MAX_RANKS = 9 };

static double value(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    double u = (double)(*s >> 11) / 9007199254740992.0;
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return ldexp(u - 0.5, (int)(*s >> 59) - 16);
}

/* g[i] += g[i + s] for i % 2s == 0, s = 1, 2, 4, ...: the tree of treesum.h */
static void reference(double g[][LEN], size_t n, double out[LEN])
{
    static double w[MAX_N][LEN];
    memcpy(w, g, n * sizeof w[0]);
    for (size_t s = 1; s < n; s *= 2)
        for (size_t i = 0; i + s < n; i += 2 * s)
            for (size_t e = 0; e < LEN; e++)
                w[i][e] += w[i + s][e];
    memcpy(out, w[0], sizeof w[0]);
}

static bool same(const double *a, const double *b)
{
    return memcmp(a, b, LEN * sizeof *a) == 0;
}

int main(void)
{
    static double g[MAX_N][LEN], copy[MAX_N][LEN], slices[MAX_RANKS][MLP_TREE_MAX][LEN];
    uint64_t seed = 12345;
    size_t cases = 0;
    for (size_t n = 1; n <= MAX_N; n++) {
        for (size_t i = 0; i < n; i++)
            for (size_t e = 0; e < LEN; e++)
                g[i][e] = value(&seed);
        double want[LEN];
        reference(g, n, want);
        for (int ranks = 1; ranks <= MAX_RANKS; ranks++) {
            memcpy(copy, g, sizeof g);
            mlp_tree all = {0};
            mlp_tree_reset(&all, n, MLP_F64, LEN);
            size_t covered = 0;
            for (int r = 0; r < ranks; r++) {
                size_t a, b;
                mlp_tree_share(n, r, ranks, &a, &b);
                EXPECT(a == covered && b >= a, "n %zu ranks %d: rank %d gets [%zu,%zu)", n,
                       ranks, r, a, b);
                covered = b;
                mlp_tree t = {0};
                mlp_tree_reset(&t, n, MLP_F64, LEN);
                for (size_t i = a; i < b; i++)
                    mlp_tree_push(&t, (mlp_tree_node){.lo = i, .size = 1}, copy[i]);
                mlp_tree_node pred[MLP_TREE_MAX];
                size_t np = mlp_tree_pieces(n, a, b, pred);
                EXPECT(np == t.depth, "n %zu ranks %d rank %d: %zu pieces, predicted %zu", n,
                       ranks, r, t.depth, np);
                for (size_t p = 0; p < np && p < t.depth; p++) {
                    EXPECT(pred[p].lo == t.node[p].lo && pred[p].size == t.node[p].size,
                           "n %zu ranks %d rank %d piece %zu: predicted wrong", n, ranks, r, p);
                    /* what the rank sends: a copy, as over the network */
                    memcpy(slices[r][p], t.buf[p], sizeof slices[r][p]);
                    mlp_tree_push(&all, t.node[p], slices[r][p]);
                }
            }
            EXPECT(covered == n, "n %zu ranks %d: %zu micro-batches shared", n, ranks, covered);
            const double *got = mlp_tree_finish(&all);
            EXPECT(got && all.depth == 1 && same(got, want),
                   "n %zu ranks %d: the sum differs from the reference tree", n, ranks);
            cases++;
        }
    }
    /* sanity: a plain left-to-right sum differs from the tree somewhere, so the
     * comparison above can see a wrong order */
    size_t differs = 0;
    for (size_t n = 3; n <= MAX_N; n++) {
        double want[LEN], seq[LEN] = {0};
        reference(g, n, want);
        for (size_t i = 0; i < n; i++)
            for (size_t e = 0; e < LEN; e++)
                seq[e] += g[i][e];
        differs += !same(seq, want);
    }
    EXPECT(differs > 0, "no count of micro-batches tells the tree from a sequential sum");
    printf("ok   %zu (micro-batches, ranks) cases bitwise equal to the reference tree; the "
           "sequential sum differs in %zu of %d counts\n", cases, differs, MAX_N - 2);
    return expect_exit();
}
