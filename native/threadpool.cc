#include "threadpool.h"

#include <atomic>
#include <cstdint>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
static inline void cpu_relax() { _mm_pause(); }
#elif defined(__aarch64__)
static inline void cpu_relax() { __asm__ __volatile__("yield"); }
#else
static inline void cpu_relax() {}
#endif

namespace rl {
namespace {

// Spin until done(), yielding the core now and then: on a loaded machine the thread we wait for may be queued on
// this very core, and a pure spin would hold it off for a whole time slice (a millisecond or more per wait).
template <class Done>
inline void spin_until(Done done) {
  for (unsigned spins = 1; !done(); ++spins) {
    cpu_relax();
    if ((spins & 127) == 0) std::this_thread::yield();
  }
}

// The innermost region this thread runs in: a parallel() or parallel_chunks() call from inside one runs inline, and
// barrier() waits for that region's threads (1 inline). Per thread: a worker's share may call a kernel that opens
// its own region, and must then neither start the pool again nor change what the others' barriers wait for.
thread_local bool t_in_region = false;
thread_local int t_region_nth = 1;
struct RegionScope {
  bool was_in;
  int was_nth;
  explicit RegionScope(int nth) : was_in(t_in_region), was_nth(t_region_nth) { t_in_region = true, t_region_nth = nth; }
  ~RegionScope() { t_in_region = was_in, t_region_nth = was_nth; }
};

struct Pool {
  int nth = 1;
  std::vector<std::thread> workers;
  std::mutex mu;
  std::condition_variable cv;
  std::atomic<unsigned> generation{0};
  std::atomic<int> remaining{0};
  // Bit t: worker t has not taken its share of the current parallel() job yet (tids below 64).
  std::atomic<uint64_t> unclaimed{0};
  const std::function<void(int, int)>* job = nullptr;
  bool stop = false;
  // parallel_chunks: the open region's ticket (epoch 24 bits | chunks 20 | next chunk 20), its job, and how many
  // threads are inside claim(): the caller waits for those only, never for a worker that has not woken yet.
  std::atomic<uint64_t> ticket{0};
  std::atomic<const std::function<void(long)>*> chunk_job{nullptr};
  std::atomic<int> claiming{0};
  // barrier state
  std::atomic<int> bar_count{0};
  std::atomic<unsigned> bar_gen{0};

  void start(int n) {
    nth = n < 1 ? 1 : n;
    for (int t = 1; t < nth; ++t) workers.emplace_back([this, t] { loop(t); });
  }
  void shutdown() {
    {
      std::lock_guard<std::mutex> g(mu);
      stop = true;
      generation.fetch_add(1);
    }
    cv.notify_all();
    for (auto& w : workers) w.join();
    workers.clear();
  }
  static uint64_t next_of(uint64_t t) { return t & 0xFFFFF; }
  static uint64_t count_of(uint64_t t) { return (t >> 20) & 0xFFFFF; }
  bool chunks_open() const {
    const uint64_t t = ticket.load(std::memory_order_acquire);
    return next_of(t) < count_of(t);
  }
  // Runs chunks of the open parallel_chunks region until none is left. The job is read after a successful claim:
  // it was published before the ticket, and its caller cannot return while this thread counts in `claiming`.
  void claim() {
    RegionScope region(1);
    claiming.fetch_add(1, std::memory_order_acq_rel);
    for (uint64_t t = ticket.load(std::memory_order_acquire); next_of(t) < count_of(t);) {
      if (!ticket.compare_exchange_weak(t, t + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      (*chunk_job.load(std::memory_order_acquire))((long)next_of(t));
      t = ticket.load(std::memory_order_acquire);
    }
    claiming.fetch_sub(1, std::memory_order_acq_rel);
  }
  void loop(int tid) {
    unsigned seen = 0;
    for (;;) {
      // Spin briefly for back-to-back jobs (a training step issues many), then sleep.
      for (int spins = 1; generation.load(std::memory_order_acquire) == seen && spins < 20000; ++spins) {
        if (chunks_open()) {
          claim();
          spins = 1;
        }
        cpu_relax();
        if ((spins & 127) == 0) std::this_thread::yield();
      }
      if (generation.load(std::memory_order_acquire) == seen) {
        std::unique_lock<std::mutex> lk(mu);
        cv.wait(lk, [&] { return generation.load() != seen || chunks_open() || stop; });
        if (generation.load() == seen && !stop) {
          lk.unlock();
          claim();
          continue;
        }
      }
      seen = generation.load(std::memory_order_acquire);
      if (stop) return;
      // The caller may have run this share itself (we woke late): then there is nothing to do, and the job of a
      // later region, if one is open, is claimed the same way.
      const uint64_t bit = tid < 64 ? 1ull << tid : 0;
      if (bit && !(unclaimed.fetch_and(~bit, std::memory_order_acq_rel) & bit)) continue;
      {
        RegionScope region(nth);
        (*job)(tid, nth);
      }
      remaining.fetch_sub(1, std::memory_order_acq_rel);
    }
  }
};

Pool* g_pool = nullptr;

int default_threads() {
  if (const char* s = std::getenv("RNNLAB_THREADS")) {
    int v = std::atoi(s);
    if (v >= 1 && v <= 256) return v;
  }
  unsigned hc = std::thread::hardware_concurrency();
  return hc ? (int)hc : 1;
}

Pool& pool() {
  if (!g_pool) {
    g_pool = new Pool();
    g_pool->start(default_threads());
  }
  return *g_pool;
}

}  // namespace

int num_threads() { return pool().nth; }

void set_num_threads(int n) {
  Pool& p = pool();
  if (n < 1) n = 1;
  if (n == p.nth) return;
  p.shutdown();
  delete g_pool;
  g_pool = new Pool();
  g_pool->start(n);
}

void parallel(const std::function<void(int, int)>& fn) {
  Pool& p = pool();
  if (t_in_region || p.nth == 1) {
    RegionScope region(1);
    fn(0, 1);
    return;
  }
  RegionScope region(p.nth);
  p.job = &fn;
  p.remaining.store(p.nth - 1, std::memory_order_release);
  const int stealable = p.nth < 64 ? p.nth : 64;
  p.unclaimed.store((stealable == 64 ? ~0ull : (1ull << stealable) - 1) & ~1ull, std::memory_order_release);
  {
    std::lock_guard<std::mutex> g(p.mu);
    p.generation.fetch_add(1, std::memory_order_acq_rel);
  }
  p.cv.notify_all();
  fn(0, p.nth);
  // Shares no worker has taken yet run here: on a loaded machine a worker may not get a core for a whole time
  // slice. Safe with barrier(): had fn passed one, every worker would have started (and claimed its share).
  const uint64_t left = p.unclaimed.exchange(0, std::memory_order_acq_rel);
  for (int t = 1; t < stealable; ++t)
    if (left >> t & 1) {
      fn(t, p.nth);
      p.remaining.fetch_sub(1, std::memory_order_acq_rel);
    }
  spin_until([&] { return p.remaining.load(std::memory_order_acquire) == 0; });
}

void parallel_chunks(long n, const std::function<void(long)>& fn) {
  Pool& p = pool();
  RegionScope region(1);  // chunks never meet at a barrier
  if (region.was_in || p.nth == 1 || n <= 1 || n > 0xFFFFF) {
    for (long i = 0; i < n; ++i) fn(i);
    return;
  }
  p.chunk_job.store(&fn, std::memory_order_release);
  const uint64_t epoch = ((p.ticket.load(std::memory_order_relaxed) >> 40) + 1) & 0xFFFFFF;
  p.ticket.store(epoch << 40 | (uint64_t)n << 20, std::memory_order_release);
  {
    std::lock_guard<std::mutex> g(p.mu);  // a sleeping worker checks chunks_open() under the lock
  }
  p.cv.notify_all();
  p.claim();
  // Every chunk is claimed now; wait for the threads still running one (or about to find none left).
  spin_until([&] { return p.claiming.load(std::memory_order_acquire) == 0; });
}

void split_range(long n, int tid, int nth, long align, long* begin, long* end) {
  if (align < 1) align = 1;
  long blocks = (n + align - 1) / align;
  long per = blocks / nth, extra = blocks % nth;
  long b0 = tid * per + (tid < extra ? tid : extra);
  long b1 = b0 + per + (tid < extra ? 1 : 0);
  *begin = b0 * align < n ? b0 * align : n;
  *end = b1 * align < n ? b1 * align : n;
}

void barrier() {
  Pool& p = pool();
  const int n = t_region_nth;
  if (n <= 1) return;
  unsigned gen = p.bar_gen.load(std::memory_order_acquire);
  if (p.bar_count.fetch_add(1, std::memory_order_acq_rel) == n - 1) {
    p.bar_count.store(0, std::memory_order_relaxed);
    p.bar_gen.fetch_add(1, std::memory_order_acq_rel);
  } else {
    spin_until([&] { return p.bar_gen.load(std::memory_order_acquire) != gen; });
  }
}

}  // namespace rl
