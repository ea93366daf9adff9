// Vectorisable float math shared by the kernels: exp, sigmoid, tanh, the Keras activations and their
// gradients, and float reductions. Needs no Node-API header, so any kernel (or a standalone test) can use it.
//
// The scalar functions are branch-free and written with operations every SIMD instruction set has
// (no floor, no table lookups, bit casts through memcpy), so a loop that calls them auto-vectorises.
// They are force-inlined: inside a kernel pass compiled for AVX-512 (see isa_passes.h) they become AVX-512
// code, inside the portable pass SSE2 code. Measured largest relative errors against double precision:
// exp 8e-8, sigmoid 1.4e-7, tanh 1.4e-7 (including tiny arguments); NaN propagates.

//
// The last section (explicit-vector exp, sigmoid, tanh and the activations over an instruction set's traits) is
// compiled where a kernel file includes this header again with RL_VEC_TRAITS_PASS defined, under its own target
// (gemm_tile.h does so for the SGEMM epilogues).
#ifndef RL_SIMD_MATH_H
#define RL_SIMD_MATH_H
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__GNUC__)
#define RL_INLINE inline __attribute__((always_inline))
#else
#define RL_INLINE inline
#endif

namespace rl {
namespace simd {

RL_INLINE float as_float(int32_t i) {
  float f;
  std::memcpy(&f, &i, sizeof f);
  return f;
}
RL_INLINE int32_t as_int(float f) {
  int32_t i;
  std::memcpy(&i, &f, sizeof i);
  return i;
}
RL_INLINE float fmin_(float a, float b) { return a < b ? a : b; }
RL_INLINE float fmax_(float a, float b) { return a > b ? a : b; }
RL_INLINE float fabs_(float x) { return as_float(as_int(x) & 0x7fffffff); }
// |x| with the sign of s.
RL_INLINE float copysign_(float x, float s) {
  return as_float((as_int(x) & 0x7fffffff) | (as_int(s) & (int32_t)0x80000000));
}

}  // namespace simd

// e^r for r = c - n ln2, given c and n (as a float): the Cody-Waite reduction (ln2 in two pieces, so |r| <= ln2/2
// loses nothing) and the Cephes polynomial (~2 ulp). The one definition of both, for every exp in the kernels:
// T is float or a vector of floats (the recurrent passes' vf), and the caller scales by 2^n its own way.
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = 0.693359375f, kLn2Lo = -2.12194440e-4f;
constexpr float kExpPoly[6] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                               4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};
template <class T>
RL_INLINE T exp_reduced(T c, T fn) {
  T r = c - fn * kLn2Hi;
  r = r - fn * kLn2Lo;
  T z = r * r;
  T p = r * kExpPoly[0] + kExpPoly[1];
  for (int i = 2; i < 6; ++i) p = p * r + kExpPoly[i];
  return p * z + r + 1.0f;
}

// The one sigmoid rule of every kernel (scalar, each ISA's GEMM epilogue, the recurrent cells, their bf16 twins;
// the reference kernels mirror it): sigmoid(x) is exactly 0 for x < kSigmoidZeroBelow and 1 / (1 + e^-x) otherwise.
// kExpMax is the largest float whose e^x is finite, so below -kExpMax e^-x overflows and 0 is what IEEE float gives
// (and Keras's sigmoid(-inf)); every exp clamps its input at kExpMax, so above it e^-x is never clamped and the
// sigmoid keeps its subnormal values, down to 2.9e-39.
constexpr float kExpMax = 88.7228317f;
constexpr float kSigmoidZeroBelow = -kExpMax;

// e^x. Inputs below -87.33 give ~1.2e-38 (the smallest normal float) instead of underflowing, inputs above
// kExpMax give ~3.4e38 instead of inf; NaN gives NaN.
RL_INLINE float exp_approx(float x) {
  using namespace simd;
  float c = fmax_(fmin_(x, kExpMax), -87.3365448f);
  // n = round(c / ln 2) by the 1.5*2^23 trick (round-to-nearest, exact for |n| < 2^22).
  const float magic = 12582912.0f;
  float t = c * 1.44269504088896341f + magic;
  int32_t n = as_int(t) - as_int(magic);
  float p = exp_reduced(c, t - magic);
  // 2^n; n in [-126, 128]: split so that both factors are normal.
  int32_t n1 = n >> 1, n2 = n - n1;
  float y = p * as_float((n1 + 127) << 23) * as_float((n2 + 127) << 23);
  return x != x ? x : y;
}

// 1 / (1 + e^-x), relative accuracy kept for very negative x; 0 below kSigmoidZeroBelow, where the clamped e^-x
// would give 2.9e-39 and turn a later 0 * inf (NaN, as Keras's sigmoid(-inf) gives) into a finite or infinite value.
RL_INLINE float sigmoid_approx(float x) {
  float y = 1.0f / (1.0f + exp_approx(-x));
  return x < kSigmoidZeroBelow ? 0.0f : y;
}

// tanh: an odd polynomial for |x| < 0.625 (Cephes tanhf), 1 - 2 / (e^{2|x|} + 1) with the sign above.
constexpr float kTanhSmall = 0.625f;
constexpr float kTanhPoly[5] = {-5.70498872745e-3f, 2.06390887954e-2f, -5.37397155531e-2f, 1.33314422036e-1f,
                                -3.33332819422e-1f};
RL_INLINE float tanh_approx(float x) {
  using namespace simd;
  float a = fabs_(x);
  float z = x * x;
  float p = kTanhPoly[0];
  for (int i = 1; i < 5; ++i) p = p * z + kTanhPoly[i];
  float small = p * z * x + x;
  float e = exp_approx(2.0f * fmin_(a, 44.0f));
  float big = copysign_(1.0f - 2.0f / (e + 1.0f), x);
  float y = a < kTanhSmall ? small : big;
  return x != x ? x : y;
}

// Keras hard_sigmoid: clip(0.2 x + 0.5, 0, 1).
RL_INLINE float hard_sigmoid(float x) {
  using namespace simd;
  float y = fmin_(fmax_(0.2f * x + 0.5f, 0.0f), 1.0f);
  return x != x ? x : y;
}

RL_INLINE float relu(float x) { return x > 0.0f ? x : (x != x ? x : 0.0f); }

// Derivatives from the activation's output y (T: float or a vector of floats).
template <class T>
RL_INLINE T sigmoid_grad_y(T y) {
  return y * (1.0f - y);
}
// (1 - y)(1 + y) rather than 1 - y^2: 1 - y is exact near |y| = 1, where 1 - y^2 would cancel.
template <class T>
RL_INLINE T tanh_grad_y(T y) {
  return (1.0f - y) * (1.0f + y);
}

// ---- reductions ----
// Floating-point sums do not auto-vectorise without fast-math, so these keep explicit vector accumulators
// (GCC vector extensions; a plain loop elsewhere). Force-inlined: they take the instruction set of the
// function they are inlined into. The summation order differs from a sequential loop.

#if defined(__GNUC__) && !defined(__clang__)
#define RL_VECTOR_EXT 1
namespace simd {
typedef float v16f __attribute__((vector_size(64)));
typedef float v8f __attribute__((vector_size(32)));
typedef double v8d __attribute__((vector_size(64)));
// (By reference: returning a 64-byte vector by value draws GCC's -Wpsabi note.)
RL_INLINE void load16(v16f& v, const float* p) { std::memcpy(&v, p, sizeof v); }
}  // namespace simd
#endif

// sum of x[0..n)
RL_INLINE float sum_f(const float* x, long n) {
  long i = 0;
  float s = 0.0f;
#ifdef RL_VECTOR_EXT
  simd::v16f acc = {};
  for (; i + 16 <= n; i += 16) {
    simd::v16f v;
    simd::load16(v, x + i);
    acc += v;
  }
  for (int l = 0; l < 16; ++l) s += acc[l];
#endif
  for (; i < n; ++i) s += x[i];
  return s;
}

// sum of x[0..n) (of x[i]^2 with SQUARE), accumulated in double
template <bool SQUARE>
RL_INLINE double sum_in_double(const float* x, long n) {
  long i = 0;
  double s = 0.0;
#ifdef RL_VECTOR_EXT
  simd::v8d a0 = {}, a1 = {};
  for (; i + 16 <= n; i += 16) {
    simd::v8f f0, f1;
    std::memcpy(&f0, x + i, sizeof f0);
    std::memcpy(&f1, x + i + 8, sizeof f1);
    simd::v8d d0 = __builtin_convertvector(f0, simd::v8d), d1 = __builtin_convertvector(f1, simd::v8d);
    if constexpr (SQUARE) {
      a0 += d0 * d0;
      a1 += d1 * d1;
    } else {
      a0 += d0;
      a1 += d1;
    }
  }
  a0 += a1;
  for (int l = 0; l < 8; ++l) s += a0[l];
#endif
  for (; i < n; ++i) {
    if constexpr (SQUARE) s += (double)x[i] * x[i];
    else s += (double)x[i];
  }
  return s;
}
RL_INLINE double sum_d(const float* x, long n) { return sum_in_double<false>(x, n); }
RL_INLINE double sumsq_d(const float* x, long n) { return sum_in_double<true>(x, n); }

// sum of x[i] * y[i]
RL_INLINE float dot_f(const float* x, const float* y, long n) {
  long i = 0;
  float s = 0.0f;
#ifdef RL_VECTOR_EXT
  simd::v16f acc = {};
  for (; i + 16 <= n; i += 16) {
    simd::v16f a, b;
    simd::load16(a, x + i);
    simd::load16(b, y + i);
    acc += a * b;
  }
  for (int l = 0; l < 16; ++l) s += acc[l];
#endif
  for (; i < n; ++i) s += x[i] * y[i];
  return s;
}

// max of x[0..n) ignoring NaN; -inf when n == 0 (or all NaN).
RL_INLINE float max_f(const float* x, long n) {
  long i = 0;
  float m = -__builtin_huge_valf();
#ifdef RL_VECTOR_EXT
  simd::v16f acc = m - simd::v16f{};
  for (; i + 16 <= n; i += 16) {
    simd::v16f v;
    simd::load16(v, x + i);
    acc = v > acc ? v : acc;
  }
  for (int l = 0; l < 16; ++l) m = acc[l] > m ? acc[l] : m;
#endif
  for (; i < n; ++i) m = x[i] > m ? x[i] : m;
  return m;
}

}  // namespace rl

#endif  // RL_SIMD_MATH_H

// ============================================================================ explicit-vector section
// exp, sigmoid, tanh and the Keras activations on one register of an instruction set described by traits V
// (V::reg, set1, zero, fmadd, fnmadd, mul, add, sub, div, min, max, and_, or_, andnot, round, scale2,
// select_lt, keep_nan, and the exp's lower clamp kExpLo), with the coefficients above and kExpMax. Included again, inside
// the including file's namespace and target, with RL_VEC_TRAITS_PASS defined.
#ifdef RL_VEC_TRAITS_PASS

// e^x: the clamp to [V::kExpLo, kExpMax] (min/max take x second, so NaN passes), x = n ln2 + r, the Cephes
// polynomial for e^r and V::scale2 for the factor 2^n (n up to 128). The callers only take e^x of x >= -86 or so
// (e^-x of a sigmoid's x below 86 and tanh's e^2|x|), so V::kExpLo only has to keep scale2's 2^n in its range.
template <class V>
RL_INLINE typename V::reg exp_v(typename V::reg x) {
  using R = typename V::reg;
  x = V::min(V::set1(rl::kExpMax), V::max(V::set1(V::kExpLo), x));
  R n = V::round(V::mul(x, V::set1(rl::kLog2e)));
  R r = V::fnmadd(n, V::set1(rl::kLn2Hi), x);
  r = V::fnmadd(n, V::set1(rl::kLn2Lo), r);
  R y = V::set1(rl::kExpPoly[0]);
  for (int i = 1; i < 6; ++i) y = V::fmadd(y, r, V::set1(rl::kExpPoly[i]));
  y = V::fmadd(y, V::mul(r, r), V::add(r, V::set1(1.0f)));
  return V::scale2(y, n);
}

// sigmoid_approx's rule: 0 below kSigmoidZeroBelow.
template <class V>
RL_INLINE typename V::reg sigmoid_v(typename V::reg x) {
  const typename V::reg one = V::set1(1.0f);
  const typename V::reg y = V::div(one, V::add(one, exp_v<V>(V::sub(V::zero(), x))));
  return V::select_lt(x, V::set1(rl::kSigmoidZeroBelow), V::zero(), y);
}

// tanh as tanh_approx: the odd polynomial below |x| = kTanhSmall, 1 - 2 / (e^2|x| + 1) above, x's sign.
template <class V>
RL_INLINE typename V::reg tanh_v(typename V::reg x) {
  using R = typename V::reg;
  const R sign = V::set1(-0.0f);
  R a = V::andnot(sign, x);
  R z = V::mul(a, a);
  R p = V::set1(rl::kTanhPoly[0]);
  for (int i = 1; i < 5; ++i) p = V::fmadd(p, z, V::set1(rl::kTanhPoly[i]));
  R small = V::fmadd(V::mul(p, z), a, a);
  const R one = V::set1(1.0f);
  R big = V::sub(one, V::div(V::set1(2.0f), V::add(exp_v<V>(V::add(a, a)), one)));
  return V::or_(V::select_lt(a, V::set1(rl::kTanhSmall), small, big), V::and_(x, sign));
}

// The activation of code `act` (rl::Act); NaN propagates as in the pointwise kernels.
template <class V>
RL_INLINE typename V::reg act_v(int act, typename V::reg v) {
  switch (act) {
    case rl::ACT_RELU: return V::keep_nan(v, V::max(v, V::zero()));
    case rl::ACT_SIGMOID: return sigmoid_v<V>(v);
    case rl::ACT_TANH: return tanh_v<V>(v);
    case rl::ACT_HARD_SIGMOID:
      return V::keep_nan(v, V::min(V::max(V::fmadd(v, V::set1(0.2f), V::set1(0.5f)), V::zero()), V::set1(1.0f)));
    default: return v;
  }
}

#endif  // RL_VEC_TRAITS_PASS
