// How a whole sensor-network run scales with the number of sensors: wall time, readings per second
// and peak memory at several sizes of bench/scale_sensors.yaml, each in its own process, at a
// constant density (the region grows with the count). The smallest size is the baseline: each
// larger one reports its cost per sensor-epoch as a multiple of the baseline's, which is 1 for
// perfectly linear growth.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "models/scenario.hpp"
#include "models/sensor_world.hpp"
#include "sim/config.hpp"

namespace {

struct Measurement {
  std::int64_t sensors = 0;
  std::int64_t epochs = 0;
  double seconds = 0;
  std::uint64_t readings = 0;
  double peak_mib = 0;
  double fraud_leakage = 0;
};

struct Options {
  std::string scenario = DEPINSIM_BENCH_DIR "/scale_sensors.yaml";
  std::vector<std::int64_t> sizes{1'000, 10'000, 100'000};
  std::int64_t epochs = 365;
  double density_per_km2 = 0.02;
};

// Runs one size in this process; returns the readings taken and fraud leakage.
std::pair<std::uint64_t, double> run_one(const Options& o, std::int64_t sensors) {
  auto doc = sim::config::Document::load_file(o.scenario);
  const double side_km = std::sqrt(static_cast<double>(sensors) / o.density_per_km2);
  doc.apply_override("population[0].count=" + std::to_string(sensors));
  doc.apply_override("region.width_km=" + std::to_string(side_km));
  doc.apply_override("region.height_km=" + std::to_string(side_km));
  doc.apply_override("run.duration=" + std::to_string(o.epochs) + "d");
  const models::Scenario scenario = models::load_scenario(doc);
  models::SensorWorld world(scenario, 0);
  world.run();
  const auto& t = world.metrics().totals();
  models::Tokens dishonest = 0;
  std::uint64_t readings = 0;
  for (std::size_t b = 0; b < models::kBehaviourCount; ++b) {
    if (models::is_dishonest(static_cast<models::Behaviour>(b))) dishonest += t.paid[b];
    readings += static_cast<std::uint64_t>(t.submitted[b]);
  }
  return {readings, static_cast<double>(dishonest) / static_cast<double>(t.minted)};
}

// Forks a child for one size so that its peak resident memory is its own.
Measurement measure(const Options& o, std::int64_t sensors) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    int status = 0;
    std::pair<std::uint64_t, double> r{};
    try {
      r = run_one(o, sensors);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "scale_sensors: %s\n", e.what());
      status = 1;
    }
    if (::write(fds[1], &r, sizeof r) != static_cast<ssize_t>(sizeof r)) status = 1;
    ::_exit(status);
  }
  ::close(fds[1]);
  std::pair<std::uint64_t, double> r{};
  const bool got = ::read(fds[0], &r, sizeof r) == static_cast<ssize_t>(sizeof r);
  ::close(fds[0]);
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  if (!got || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("run with " + std::to_string(sensors) + " sensors failed");
  }
  Measurement m;
  m.sensors = sensors;
  m.epochs = o.epochs;
  m.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  m.readings = r.first;
  m.fraud_leakage = r.second;
  m.peak_mib = static_cast<double>(usage.ru_maxrss) / 1024.0;  // kilobytes on Linux
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"Scale of a full sensor-network run with the number of sensors"};
  app.add_option("--scenario", o.scenario, "scenario to scale");
  app.add_option("-n,--sizes", o.sizes, "sensor counts, the first is the baseline")->delimiter(',');
  app.add_option("-e,--epochs", o.epochs, "daily epochs to run")->check(CLI::PositiveNumber);
  app.add_option("--density", o.density_per_km2, "sensors per km2")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);

  std::printf("scale_sensors scenario=%s epochs=%lld density=%g/km2\n", o.scenario.c_str(),
              static_cast<long long>(o.epochs), o.density_per_km2);
  std::printf("%10s %10s %12s %12s %10s %14s %10s\n", "sensors", "wall_s", "readings", "readings/s",
              "peak_MiB", "us/sensor-day", "vs_first");
  double baseline = 0;
  try {
    for (std::int64_t n : o.sizes) {
      const Measurement m = measure(o, n);
      const double per = 1e6 * m.seconds / static_cast<double>(m.sensors * m.epochs);
      if (baseline == 0) baseline = per;
      std::printf("%10lld %10.2f %12llu %12.0f %10.1f %14.3f %10.2f   (fraud leakage %.4f)\n",
                  static_cast<long long>(m.sensors), m.seconds,
                  static_cast<unsigned long long>(m.readings),
                  static_cast<double>(m.readings) / m.seconds, m.peak_mib, per, per / baseline,
                  m.fraud_leakage);
      std::fflush(stdout);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "scale_sensors: %s\n", e.what());
    return 1;
  }
  return 0;
}
