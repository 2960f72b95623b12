#pragma once
// A sweep's runs shared among the ranks of an MPI job: rank 0 hands out run ids one at a time
// and gathers what became of each; every rank, rank 0 included, runs them.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace depinsim_cli {

/// What a rank reports of one run: its position in the sweep's run list, how it ended
/// (0 done, 1 failed, 2 not run) and its wall-clock time.
struct RunReport {
  std::int64_t run = -1;
  int status = 0;
  double wall_s = 0.0;
};

/// The MPI job this process belongs to, initialised on construction and finalised on
/// destruction; a job of one process when depinsim was built without MPI or was not started
/// by mpirun (or srun).
///   SweepMpi mpi;  if (mpi.size() > 1 && mpi.rank() == 0) mpi.serve(take, record);
class SweepMpi {
 public:
  SweepMpi();
  ~SweepMpi();
  SweepMpi(const SweepMpi&) = delete;
  SweepMpi& operator=(const SweepMpi&) = delete;

  /// True when the environment says an MPI launcher started this process.
  static bool launched_by_mpi();

  int rank() const { return rank_; }
  int size() const { return size_; }
  /// True when several threads of a rank may call next_run() (MPI_THREAD_SERIALIZED or better).
  bool threads_may_ask() const { return serialized_; }

  /// Rank 0, on the thread that initialised MPI: answers every other rank's requests with
  /// `take()` (nothing: stop), passing each report they send to `record`, until every other
  /// rank has been told to stop. Polls, so that it leaves the core to rank 0's own runs.
  void serve(const std::function<std::optional<std::int64_t>()>& take,
             const std::function<void(const RunReport&)>& record) const;
  /// Ranks above 0: sends `finished` (if any) to rank 0 and waits for the next run id; nothing
  /// means stop. Thread-safe; each of the rank's `threads` asking threads gets its own stop.
  std::optional<std::int64_t> next_run(const std::optional<RunReport>& finished, int threads);

 private:
  int rank_ = 0;
  int size_ = 1;
  bool initialised_ = false;
  bool serialized_ = true;
  struct Lock;
  std::unique_ptr<Lock> lock_;
};

}  // namespace depinsim_cli
