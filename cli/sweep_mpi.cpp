// The MPI side of `depinsim sweep`: a dispatcher on rank 0, requests from the other ranks.
#include "cli/sweep_mpi.hpp"

#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#ifdef DEPINSIM_HAVE_MPI
#include <mpi.h>
#endif

namespace depinsim_cli {

struct SweepMpi::Lock {
  std::mutex mutex;
};

bool SweepMpi::launched_by_mpi() {
  // Open MPI's mpirun, and PMI/PMIx launchers (srun, MPICH's mpiexec).
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

#ifdef DEPINSIM_HAVE_MPI

namespace {

// A request carries the report of the run just finished (run -1: none); the answer is a run id
// or -1 (stop).
constexpr int kRequestTag = 1;
constexpr int kAnswerTag = 2;

struct Message {
  double run;
  double status;
  double wall_s;
  double threads;  // how many threads of the sending rank ask: each needs its own stop
};

}  // namespace

SweepMpi::SweepMpi() : lock_(std::make_unique<Lock>()) {
  if (!launched_by_mpi()) return;
  int already = 0;
  MPI_Initialized(&already);
  if (already == 0) {
    int provided = MPI_THREAD_SINGLE;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
    serialized_ = provided >= MPI_THREAD_SERIALIZED;
    initialised_ = true;
  }
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

SweepMpi::~SweepMpi() {
  if (initialised_) MPI_Finalize();
}

void SweepMpi::serve(const std::function<std::optional<std::int64_t>()>& take,
                     const std::function<void(const RunReport&)>& record) const {
  int running = size_ - 1;
  std::vector<int> stops(static_cast<std::size_t>(size_), 0);
  while (running > 0) {
    int waiting = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, kRequestTag, MPI_COMM_WORLD, &waiting, &status);
    if (waiting == 0) {
      // A blocking receive would spin on this core, which rank 0's own runs need.
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      continue;
    }
    Message m{};
    MPI_Recv(&m, 4, MPI_DOUBLE, status.MPI_SOURCE, kRequestTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    if (m.run >= 0) {
      record(RunReport{static_cast<std::int64_t>(m.run), static_cast<int>(m.status), m.wall_s});
    }
    const std::optional<std::int64_t> next = take();
    const std::int64_t answer = next ? *next : -1;
    MPI_Send(&answer, 1, MPI_INT64_T, status.MPI_SOURCE, kAnswerTag, MPI_COMM_WORLD);
    // Once the runs are all handed out, every later answer is a stop too.
    if (!next &&
        ++stops[static_cast<std::size_t>(status.MPI_SOURCE)] == static_cast<int>(m.threads)) {
      --running;
    }
  }
}

std::optional<std::int64_t> SweepMpi::next_run(const std::optional<RunReport>& finished,
                                               int threads) {
  const std::lock_guard lock(lock_->mutex);
  Message m{-1.0, 0.0, 0.0, static_cast<double>(threads)};
  if (finished) {
    m.run = static_cast<double>(finished->run);
    m.status = finished->status;
    m.wall_s = finished->wall_s;
  }
  MPI_Send(&m, 4, MPI_DOUBLE, 0, kRequestTag, MPI_COMM_WORLD);
  std::int64_t answer = -1;
  MPI_Recv(&answer, 1, MPI_INT64_T, 0, kAnswerTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  if (answer < 0) return std::nullopt;
  return answer;
}

#else

SweepMpi::SweepMpi() : lock_(std::make_unique<Lock>()) {}
SweepMpi::~SweepMpi() = default;

void SweepMpi::serve(const std::function<std::optional<std::int64_t>()>&,
                     const std::function<void(const RunReport&)>&) const {}

std::optional<std::int64_t> SweepMpi::next_run(const std::optional<RunReport>&, int) {
  return std::nullopt;
}

#endif

}  // namespace depinsim_cli
