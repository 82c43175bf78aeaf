/* scalar_impl.h: body of the scalar reference kernels, included by scalar.c once per
 * precision.
 *
 * Generates (static): the seven slots SFX(forward), SFX(backward), SFX(update),
 * SFX(relu), SFX(relu_backward), SFX(multiply), SFX(error_delta).
 * Expects, defined by the includer for this inclusion (#undef'd at the end here):
 *   REAL       float or double
 *   SFX(name)  the name of a generated function: scalar_<name>_f32 / _f64
 *
 * These are the reference every other set is checked against: dense, plain loops
 * in the seed's order of operations (each output is a sum over k or b in ascending
 * order, started from zero), no skipping of zeros, no blocking. scalar.c is built
 * with -ffp-contract=off and without fast-math, so no FMA fuses a product and a sum.
 * Split invariance (kernels.h) holds trivially: each output's loop is the same
 * whatever rows or columns the call covers. */

/* Y[B,N] = X[B,K] . W[K,N]: rows of W are streamed (k outer, n inner), which keeps
 * each Y[b,n] a sum over k in ascending order, started from zero. */
static void SFX(forward)(size_t B, size_t K, size_t N, const REAL *restrict X, size_t ldx,
                         const REAL *restrict W, size_t ldw, REAL *restrict Y, size_t ldy)
{
    for (size_t b = 0; b < B; b++) {
        REAL *y = Y + b * ldy;
        for (size_t n = 0; n < N; n++)
            y[n] = 0;
        for (size_t k = 0; k < K; k++) {
            REAL x = X[b * ldx + k];
            for (size_t n = 0; n < N; n++)
                y[n] += x * W[k * ldw + n];
        }
    }
}

/* DX[B,K] = DY[B,N] . W[K,N]^T */
static void SFX(backward)(size_t B, size_t K, size_t N, const REAL *restrict DY, size_t lddy,
                          const REAL *restrict W, size_t ldw, REAL *restrict DX, size_t lddx)
{
    for (size_t b = 0; b < B; b++) {
        for (size_t k = 0; k < K; k++) {
            REAL sum = 0;
            for (size_t n = 0; n < N; n++)
                sum += DY[b * lddy + n] * W[k * ldw + n];
            DX[b * lddx + k] = sum;
        }
    }
}

/* W[K,N] += alpha * (X[B,K]^T . DY[B,N]); for B = 1 this is the seed's
 * W += alpha * outer(x, dy): the product first, then alpha, then the add. */
static void SFX(update)(size_t B, size_t K, size_t N, REAL alpha, const REAL *restrict X,
                        size_t ldx, const REAL *restrict DY, size_t lddy, REAL *restrict W,
                        size_t ldw)
{
    for (size_t k = 0; k < K; k++) {
        for (size_t n = 0; n < N; n++) {
            REAL grad = 0;
            for (size_t b = 0; b < B; b++)
                grad += X[b * ldx + k] * DY[b * lddy + n];
            W[k * ldw + n] += alpha * grad;
        }
    }
}

/* x = (x >= 0) * x, as numpy computes it: -1 -> -0.0, NaN -> NaN, -0.0 -> -0.0 */
static void SFX(relu)(size_t n, REAL *x)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (REAL)(x[i] >= 0) * x[i];
}

/* delta *= relu2deriv(act): seed (act >= 0) or strict (act > 0), as 1 or 0 */
static void SFX(relu_backward)(size_t n, const REAL *restrict act, REAL *restrict delta,
                               mlp_relu_grad mode)
{
    for (size_t i = 0; i < n; i++) {
        REAL mask = mode == MLP_RELU_GRAD_STRICT ? (REAL)(act[i] > 0) : (REAL)(act[i] >= 0);
        delta[i] = delta[i] * mask;
    }
}

/* x *= m */
static void SFX(multiply)(size_t n, REAL *restrict x, const REAL *restrict m)
{
    for (size_t i = 0; i < n; i++)
        x[i] = x[i] * m[i];
}

/* delta = target - out; returns sum(delta^2) in double */
static double SFX(error_delta)(size_t n, const REAL *restrict target, const REAL *restrict out,
                               REAL *restrict delta)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        delta[i] = target[i] - out[i];
        sum += (double)delta[i] * (double)delta[i];
    }
    return sum;
}

#undef REAL
#undef SFX
