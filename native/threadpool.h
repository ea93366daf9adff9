// A fixed pool of worker threads sized to the cores (RNNLAB_THREADS overrides).
// Recurrent kernels call parallel() once per sequence and synchronise time steps with barrier(),
// so a step costs a spin, never a condition-variable round trip.
#pragma once
#include <functional>

namespace rl {

int num_threads();
void set_num_threads(int n);

// Runs fn(tid, nth) on nth threads (the caller is tid 0) and returns when all have finished.
// A call from inside a region runs fn(0, 1) inline.
void parallel(const std::function<void(int tid, int nth)>& fn);

// Runs fn(i) for every chunk i in [0, n), each once, on whichever threads claim it first (the caller too); returns
// when all have finished. The caller never waits for a worker that has not started, so a preempted worker on a
// loaded machine costs nothing; fn must not call barrier(). A call from inside a region runs the chunks inline.
void parallel_chunks(long n, const std::function<void(long chunk)>& fn);

// Splits [0, n) into nth contiguous chunks aligned to `align`; returns this thread's [begin, end).
void split_range(long n, int tid, int nth, long align, long* begin, long* end);

// Spin barrier for the threads of the current parallel() region.
void barrier();

}  // namespace rl
