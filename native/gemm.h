// Single-precision GEMM, row-major: C = act(alpha * op(A) * op(B) + beta * C + bias).
// op(A) is m x k (A stored m x k, or k x m when ta); op(B) is k x n (B stored k x n, or n x k when tb).
// bias (length n) may be null; act is an rl::Act code applied last.
#pragma once

namespace rl {

void sgemm(bool ta, bool tb, long m, long n, long k, float alpha, const float* A, long lda, const float* B, long ldb,
           float beta, float* C, long ldc, const float* bias, int act);

// The same, on the calling thread only: for use inside a parallel() region.
void sgemm_serial(bool ta, bool tb, long m, long n, long k, float alpha, const float* A, long lda, const float* B,
                  long ldb, float beta, float* C, long ldc, const float* bias, int act);

}  // namespace rl
