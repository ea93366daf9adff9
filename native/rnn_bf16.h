// The bf16 pieces of the mixed_bfloat16 recurrent cells (lstm_bf16.cc): the recurrent weights packed as bf16 pairs,
// the vdpbf16ps register tile over them and the bf16 copy of a row of states. Included inside an AVX512-BF16 pass,
// after rnn_common.h's SIMD part (it uses that part's vf, W = 16 and register-tile helpers).
//
// A "pair row" is a bf16 vector of J values stored as J (rounded up to even) uint16: its dword q holds the pair
// (2q, 2q+1) as bf16.h's packed operands do, so one broadcast dword times one panel dword is one vdpbf16ps lane.
// Every sum runs in vdpbf16ps's order (bf16.h), pair after pair from the first, the order reference/bf16_gemm.ts
// follows.

// Gate panels of R for the forward product: per unit block jb of W units, for every k pair q, the G gates' W lanes
// side by side ([jb][q][g][v], kp = pairs(K) pairs): dword = bf16(r[2q, col]) | bf16(r[2q+1, col]) << 16, with
// col = gcol[g] + jb*W + v, zeros past U and past K.
inline void pack_bf16_gate_panels(const rl::bf16::KernelSet& K, const float* r, long Kr, long ldr, long U, int G,
                                  const long* gcol, uint32_t* out) {
  const long kp = rl::bf16::pairs(Kr);
  for (long jb = 0; jb < nblocks(U); ++jb) {
    const int n = (int)std::min<long>(W, U - jb * W);
    for (long q = 0; q < kp; ++q)
      for (int g = 0; g < G; ++g) {
        uint32_t* d = out + ((jb * kp + q) * G + g) * W;
        const float* r0 = r + 2 * q * ldr + gcol[g] + jb * W;
        K.interleave(r0, 2 * q + 1 < Kr ? r0 + ldr : nullptr, n, d);
        std::fill(d + n, d + W, 0u);
      }
  }
}

// Panels of R^T for the backward product dh = dgates R^T: per unit block jb, for every pair q of R's J columns,
// the block's W lanes ([jb][q][v]): dword = bf16(r[u, 2q]) | bf16(r[u, 2q+1]) << 16, u = jb*W + v (zeros past U).
inline void pack_bf16_transposed_panels(const rl::bf16::KernelSet& K, const float* r, long J, long ldr, long U,
                                        uint32_t* out) {
  const long kp = rl::bf16::pairs(J);
  std::vector<uint32_t> row((size_t)kp);
  for (long jb = 0; jb < nblocks(U); ++jb)
    for (int v = 0; v < W; ++v) {
      const long u = jb * W + v;
      std::fill(row.begin(), row.end(), 0u);
      if (u < U) K.convert(r + u * ldr, J, reinterpret_cast<uint16_t*>(row.data()));
      for (long q = 0; q < kp; ++q) out[(jb * kp + q) * W + v] = row[(size_t)q];
    }
}

// Register tile: acc[m][p*VP + v] += sum over kp pairs of a[m]'s dword q times panel p's dword row q (VP vectors of
// W lanes each, VP*W dwords a row), in vdpbf16ps's order.
template <int M, int NP, int VP>
RLV void bf16_accum(vf (&acc)[M][NP * VP], long kp, const uint32_t* const* a, const uint32_t* const* b) {
  constexpr int NV = NP * VP;
  __m512 c[M][NV];
#pragma GCC unroll 8
  for (int m = 0; m < M; ++m)
#pragma GCC unroll 8
    for (int n = 0; n < NV; ++n) c[m][n] = (__m512)acc[m][n];
  for (long q = 0; q < kp; ++q) {
    __m512bh bv[NV];
#pragma GCC unroll 8
    for (int p = 0; p < NP; ++p)
#pragma GCC unroll 8
      for (int v = 0; v < VP; ++v) bv[p * VP + v] = (__m512bh)_mm512_loadu_si512((const void*)(b[p] + q * (VP * W) + v * W));
#pragma GCC unroll 8
    for (int m = 0; m < M; ++m) {
      const __m512bh av = (__m512bh)_mm512_set1_epi32((int)a[m][q]);
#pragma GCC unroll 8
      for (int n = 0; n < NV; ++n) c[m][n] = _mm512_dpbf16_ps(c[m][n], av, bv[n]);
    }
  }
#pragma GCC unroll 8
  for (int m = 0; m < M; ++m)
#pragma GCC unroll 8
    for (int n = 0; n < NV; ++n) acc[m][n] = (vf)c[m][n];
}

// The first n lanes of v rounded to bf16 (VCVTNEPS2BF16, the packing's rounding) into dst[0..n).
RLV void store_bf16(uint16_t* dst, vf v, int n) {
  const __m256i h = (__m256i)_mm512_cvtneps_pbh((__m512)v);
  _mm256_mask_storeu_epi16((void*)dst, (__mmask16)(n >= W ? 0xffff : (1u << n) - 1), h);
}

// For the na listed rows and the unit blocks [j0, j1): dst[b*ldd + block's lanes] = pair row a + b*lda (kp pairs)
// times the block's panel (panels + jb*pstride dwords, one vector a pair); lanes past U are not written.
inline void bf16_panel_product(const int* rows, long na, long j0, long j1, long U, float* dst, long ldd,
                               const uint16_t* a, long lda, const uint32_t* panels, long pstride, long kp) {
  if (na <= 0) return;
  for_tiles<4>(j1 - j0, [&](long q0, auto NPc) {
    constexpr int NP = decltype(NPc)::value;
    constexpr int MM = rows_for(NP);
    const uint32_t* bp[NP];
    for (int q = 0; q < NP; ++q) bp[q] = panels + (j0 + q0 + q) * pstride;
    for_tiles<MM>(na, [&](long i0, auto Mc) {
      constexpr int M = decltype(Mc)::value;
      const uint32_t* ap[M];
      for (int m = 0; m < M; ++m) ap[m] = reinterpret_cast<const uint32_t*>(a + (long)rows[i0 + m] * lda);
      vf acc[M][NP];
      acc_zero(acc);
      bf16_accum<M, NP, 1>(acc, kp, ap, bp);
      for (int m = 0; m < M; ++m)
        for (int q = 0; q < NP; ++q) {
          const long u0 = (j0 + q0 + q) * W;
          vstoren(dst + (long)rows[i0 + m] * ldd + u0, acc[m][q], (int)std::min<long>(W, U - u0));
        }
    });
  });
}
