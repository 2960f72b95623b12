// A mixed network at scale: sensors, storage providers and compute providers in one run
// (bench/scale_mixed.yaml), against the same sensors alone as the baseline, each in its own
// process so that its peak resident memory is its own. The ratio says what the storage and
// compute networks add to the sensors' cost.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

#include "models/scenario.hpp"
#include "models/sensor_world.hpp"
#include "sim/config.hpp"

namespace {

struct Options {
  std::string scenario = DEPINSIM_BENCH_DIR "/scale_mixed.yaml";
  std::int64_t epochs = 365;
};

// What a child reports back.
struct Counts {
  std::int64_t sensors = 0, storage = 0, compute = 0;
  std::int64_t jobs = 0, units_active = 0;
};

struct Measurement {
  Counts counts;
  double seconds = 0;
  double peak_mib = 0;
};

Counts run_one(const Options& o, bool mixed) {
  auto doc = sim::config::Document::load_file(o.scenario);
  doc.apply_override("run.duration=" + std::to_string(o.epochs) + "d");
  if (!mixed) {
    // The baseline: the same sensors with the same share of the emission, and no providers.
    doc.apply_override("population[1].count=0");
    doc.apply_override("population[2].count=0");
    doc.apply_override("population[2].operated_by=own");
    doc.apply_override("storage.deals.per_day=0");
    doc.apply_override("compute.jobs.rate_per_day=0");
  }
  const models::Scenario scenario = models::load_scenario(doc);
  models::SensorWorld world(scenario, 0);
  world.run();
  Counts c;
  c.sensors = static_cast<std::int64_t>(world.sensors().size());
  if (world.storage() != nullptr) {
    c.storage = static_cast<std::int64_t>(world.storage()->size());
    c.units_active = world.storage()->last_epoch().units_active;
  }
  if (world.compute() != nullptr) {
    c.compute = static_cast<std::int64_t>(world.compute()->size());
    c.jobs = world.compute()->totals().arrived;
  }
  return c;
}

Measurement measure(const Options& o, bool mixed) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    int status = 0;
    Counts c;
    try {
      c = run_one(o, mixed);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "scale_mixed: %s\n", e.what());
      status = 1;
    }
    if (::write(fds[1], &c, sizeof c) != static_cast<ssize_t>(sizeof c)) status = 1;
    ::_exit(status);
  }
  ::close(fds[1]);
  Counts c;
  const bool got = ::read(fds[0], &c, sizeof c) == static_cast<ssize_t>(sizeof c);
  ::close(fds[0]);
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  if (!got || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error(std::string(mixed ? "mixed" : "baseline") + " run failed");
  }
  Measurement m;
  m.counts = c;
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  m.peak_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;  // kilobytes on Linux
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"A mixed sensor, storage and compute network at scale, against its sensors alone"};
  app.add_option("--scenario", o.scenario, "the mixed scenario");
  app.add_option("-e,--epochs", o.epochs, "daily epochs to run")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  std::printf("scale_mixed scenario=%s epochs=%lld\n", o.scenario.c_str(),
              static_cast<long long>(o.epochs));
  std::printf("%-10s %8s %8s %8s %10s %10s %12s %12s\n", "run", "sensors", "storage", "compute",
              "wall_s", "peak_MiB", "jobs", "units_held");
  try {
    const Measurement base = measure(o, false);
    const Measurement mixed = measure(o, true);
    for (const auto& [name, m] : {std::pair{"sensors", base}, std::pair{"mixed", mixed}}) {
      std::printf(
          "%-10s %8lld %8lld %8lld %10.2f %10.1f %12lld %12lld\n", name,
          static_cast<long long>(m.counts.sensors), static_cast<long long>(m.counts.storage),
          static_cast<long long>(m.counts.compute), m.seconds, m.peak_mib,
          static_cast<long long>(m.counts.jobs), static_cast<long long>(m.counts.units_active));
    }
    std::printf("ratio mixed/sensors: wall %.2f, peak memory %.2f\n", mixed.seconds / base.seconds,
                mixed.peak_mib / base.peak_mib);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scale_mixed: %s\n", e.what());
    return 1;
  }
  return 0;
}
