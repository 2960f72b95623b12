// PHOLD (Fujimoto 1990) on the depinsim kernel, against a plain std::priority_queue baseline.
//
// N logical processes start with one event each. Handling an event schedules one new event at
// an exponential delay (mean 1 s) to a uniformly random process. Both implementations draw from
// the same counter-based streams and break ties the same way, so they process the very same
// events in the very same order: the checksum printed for each must match.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <queue>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sim/random.hpp"
#include "sim/simulator.hpp"

namespace {

using sim::Time;

constexpr double kMeanDelaySeconds = 1.0;

struct Result {
  std::uint64_t events = 0;
  std::uint64_t checksum = 0;
  double seconds = 0.0;
  double rate() const { return static_cast<double>(events) / seconds; }
};

/// Per-process random state: the next unused Philox block of the process's stream.
class Draws {
 public:
  Draws(std::uint64_t seed, std::uint32_t processes)
      : id_(sim::RandomStreams(seed, 0).id("phold")), blocks_(processes, 0) {}
  /// One event's draws: the delay in ticks and the destination process.
  std::pair<Time, std::uint32_t> next(std::uint32_t lp) {
    sim::StreamId id = id_;
    id.entity = lp;
    sim::RandomStream rng(id, blocks_[lp]);
    const Time delay = Time::from_seconds(rng.exponential(kMeanDelaySeconds));
    const auto dest = static_cast<std::uint32_t>(rng.uniform_int(blocks_.size()));
    blocks_[lp] = rng.next_block();
    return {delay, dest};
  }

 private:
  sim::StreamId id_;
  std::vector<std::uint64_t> blocks_;
};

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
  return (h ^ v) * 0x100000001b3ULL;
}

class KernelPhold {
 public:
  KernelPhold(std::uint64_t seed, std::uint32_t processes) : draws_(seed, processes) {
    sim_.on<&KernelPhold::handle>(kHop, *this);
    for (std::uint32_t lp = 0; lp < processes; ++lp) {
      auto [delay, dest] = draws_.next(lp);
      sim_.schedule_at(delay, kHop, dest);
    }
  }
  Result run(Time end) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::uint64_t n = sim_.run_until(end);
    const auto t1 = std::chrono::steady_clock::now();
    return {n, checksum_, std::chrono::duration<double>(t1 - t0).count()};
  }

 private:
  static constexpr sim::EventKind kHop = 1;
  void handle(sim::Simulator& s, const sim::Event& e) {
    checksum_ = mix(checksum_, (static_cast<std::uint64_t>(e.time.ticks()) << 20) ^ e.target);
    auto [delay, dest] = draws_.next(e.target);
    s.schedule_in(delay, kHop, dest);
  }
  sim::Simulator sim_;
  Draws draws_;
  std::uint64_t checksum_ = 0;
};

class BaselinePhold {
 public:
  BaselinePhold(std::uint64_t seed, std::uint32_t processes) : draws_(seed, processes) {
    for (std::uint32_t lp = 0; lp < processes; ++lp) {
      auto [delay, dest] = draws_.next(lp);
      queue_.push({delay.ticks(), sequence_++, dest});
    }
  }
  Result run(Time end) {
    const auto t0 = std::chrono::steady_clock::now();
    std::uint64_t n = 0;
    std::uint64_t checksum = 0;
    while (!queue_.empty() && queue_.top().time <= end.ticks()) {
      const Ev e = queue_.top();
      queue_.pop();
      checksum = mix(checksum, (static_cast<std::uint64_t>(e.time) << 20) ^ e.lp);
      auto [delay, dest] = draws_.next(e.lp);
      queue_.push({e.time + delay.ticks(), sequence_++, dest});
      ++n;
    }
    const auto t1 = std::chrono::steady_clock::now();
    return {n, checksum, std::chrono::duration<double>(t1 - t0).count()};
  }

 private:
  struct Ev {
    std::int64_t time;
    std::uint64_t sequence;
    std::uint32_t lp;
  };
  struct Later {
    bool operator()(const Ev& a, const Ev& b) const {
      return a.time != b.time ? a.time > b.time : a.sequence > b.sequence;
    }
  };
  std::priority_queue<Ev, std::vector<Ev>, Later> queue_;
  Draws draws_;
  std::uint64_t sequence_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"PHOLD on the depinsim kernel vs a std::priority_queue baseline"};
  std::uint32_t processes = 16'384;
  double events_per_process = 200.0;
  std::uint64_t seed = 1;
  int repeats = 3;
  app.add_option("-n,--processes", processes, "logical processes (one initial event each)")
      ->check(CLI::Range(1u, 1u << 30));
  app.add_option("-e,--events-per-process", events_per_process,
                 "events to process per logical process (sets the simulated end time)")
      ->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "random seed");
  app.add_option("-r,--repeats", repeats, "runs of each implementation; the best is reported")
      ->check(CLI::Range(1, 100));
  CLI11_PARSE(app, argc, argv);

  // One event in flight per process at mean delay 1 s: N events per simulated second.
  const Time end = Time::from_seconds(events_per_process * kMeanDelaySeconds);
  Result kernel, baseline;
  for (int r = 0; r < repeats; ++r) {
    Result b = BaselinePhold(seed, processes).run(end);
    Result k = KernelPhold(seed, processes).run(end);
    if (r == 0 || b.seconds < baseline.seconds) baseline = b;
    if (r == 0 || k.seconds < kernel.seconds) kernel = k;
  }
  std::printf("PHOLD processes=%u end=%.0fs events=%llu repeats=%d\n", processes, end.to_seconds(),
              static_cast<unsigned long long>(kernel.events), repeats);
  std::printf("  baseline std::priority_queue  %12.0f events/s  checksum %016llx\n",
              baseline.rate(), static_cast<unsigned long long>(baseline.checksum));
  std::printf("  depinsim kernel               %12.0f events/s  checksum %016llx\n", kernel.rate(),
              static_cast<unsigned long long>(kernel.checksum));
  std::printf("  ratio kernel/baseline         %12.2f\n", kernel.rate() / baseline.rate());
  if (kernel.checksum != baseline.checksum || kernel.events != baseline.events) {
    std::fprintf(stderr,
                 "phold: kernel and baseline disagree: the kernel's event order is wrong\n");
    return 1;
  }
  return 0;
}
