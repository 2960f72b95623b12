#include <chrono>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <iostream>

#include <unistd.h>

#include "cli/commands.hpp"
#include "cli/log.hpp"
#include "cli/progress.hpp"
#include "cli/summary.hpp"
#include "models/economy/ledger.hpp"
#include "models/scenario.hpp"
#include "models/sensor_world.hpp"
#include "sim/config.hpp"
#include "sim/hdf5_file.hpp"

namespace depinsim_build {
extern const char* const kGitCommit;
}

namespace depinsim_cli {

namespace {

constexpr std::int64_t kSchemaVersion = 1;

volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_interrupt(int) {
  g_interrupted = 1;
}

void report(const sim::config::ConfigError& e) {
  for (const auto& p : e.problems())
    std::cerr << p.format() << "\n";
}

/// Reads the scenario file, applies --seed and --set, and checks everything.
models::Scenario load(const ScenarioOptions& o) {
  sim::config::Document doc = sim::config::Document::load_file(o.scenario_path);
  if (o.seed) doc.apply_override("seed=" + std::to_string(*o.seed));
  for (const std::string& assignment : o.overrides)
    doc.apply_override(assignment);
  return models::load_scenario(doc);
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool interrupted() {
  return g_interrupted != 0;
}

namespace {

// "100 sensors, 20 storage providers": the kinds a scenario has.
std::string node_counts(const models::Scenario& s) {
  std::string text;
  const auto add = [&](std::int64_t n, const char* what) {
    if (n == 0) return;
    text += (text.empty() ? "" : ", ") + std::to_string(n) + " " + what;
  };
  add(s.sensor_count(), "sensors");
  add(s.storage_count(), "storage providers");
  add(s.compute_count(), "compute providers");
  return text.empty() ? "no nodes" : text;
}

}  // namespace

ScenarioRun::ScenarioRun(const models::Scenario& scenario, std::uint64_t run_index, LogSink sink)
    : scenario_(scenario), run_index_(run_index), start_(std::chrono::steady_clock::now()) {
  if (!sink) sink = [](LogLevel level, const std::string& message) { log(level, message); };
  sink(LogLevel::info, "scenario " + scenario.name + ": " + node_counts(scenario) + ", " +
                           std::to_string(scenario.epochs()) + " epochs, seed " +
                           std::to_string(scenario.seed));
  world_ = std::make_unique<models::SensorWorld>(scenario, run_index);
  std::int64_t unreachable = 0;
  for (std::uint32_t i = 0; i < world_->sensors().size(); ++i) {
    if (world_->network().hops_to_sink(i) == sim::Network::kNoRoute) ++unreachable;
  }
  if (unreachable > 0) {
    sink(LogLevel::warn, std::to_string(unreachable) +
                             " sensors have no route to the oracle: every reading they send is "
                             "lost (raise network.radius_km?)");
  }
}

ScenarioRun::~ScenarioRun() = default;

bool ScenarioRun::run(const std::function<bool()>& stop) {
  world_->on_epoch([this, stop](const models::EpochTally&) {
    if (stop()) world_->stop();
  });
  if (!stop()) world_->run();
  wall_s_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  return world_->finished();
}

void ScenarioRun::write(sim::Hdf5Writer& out) const {
  out.set_attribute("/", "schema_version", kSchemaVersion);
  out.set_attribute("/", "depinsim_version", DEPINSIM_VERSION);
  out.set_attribute("/", "git_commit", depinsim_build::kGitCommit);
  out.set_attribute("/", "seed", static_cast<std::int64_t>(scenario_.seed));
  out.set_attribute("/", "run_index", static_cast<std::int64_t>(run_index_));
  out.set_attribute("/", "scenario_name", scenario_.name);
  out.set_attribute("/", "created_utc", utc_now());
  out.set_attribute("/", "wall_seconds", wall_s_);
  out.write_text("scenario", scenario_.resolved_yaml,
                 "the fully resolved scenario (defaults and overrides applied), YAML");
  world_->write(out);
  out.commit();
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int validate_command(const ScenarioOptions& options) {
  try {
    const models::Scenario s = load(options);
    std::cout << options.scenario_path << ": ok (" << s.name << ": " << node_counts(s) << ", "
              << s.epochs() << " epochs of " << sim::format_duration(s.epoch) << ")\n";
    return kOk;
  } catch (const sim::config::ConfigError& e) {
    report(e);
    return kBadInput;
  }
}

int run_command(const RunOptions& options) {
  install_interrupt_handlers();  // from the start, so that an early Ctrl-C is not lost
  models::Scenario scenario;
  try {
    scenario = load(options.scenario);
  } catch (const sim::config::ConfigError& e) {
    report(e);
    return kBadInput;
  }

  // Open the output before the run so that a bad path fails at once, not after the work.
  std::optional<sim::Hdf5Writer> out;
  try {
    out.emplace(options.output_path);
  } catch (const sim::Hdf5Error& e) {
    std::cerr << e.what() << "\n";
    return kBadInput;
  }

  try {
    ScenarioRun run(scenario, 0);
    models::SensorWorld& world = run.world();
    std::optional<Progress> progress;
    if (!options.quiet && !options.json) {
      progress.emplace(std::cerr, scenario.epochs(), scenario.epoch.to_days(),
                       static_cast<std::int64_t>(world.sensors().size()),
                       ::isatty(STDERR_FILENO) == 1, options.progress_every_s);
    }
    world.on_epoch([&](const models::EpochTally& t) {
      if (progress) progress->update(t.epoch + 1);
      if (Log::enabled(LogLevel::debug)) {
        std::int64_t accepted = 0, arrived = 0;
        for (std::size_t b = 0; b < models::kBehaviourCount; ++b) {
          accepted += t.accepted[b];
          arrived += t.arrived[b];
        }
        log(LogLevel::debug, "epoch " + std::to_string(t.epoch) + ": accepted " +
                                 std::to_string(accepted) + " of " + std::to_string(arrived));
      }
    });
    const bool finished = run.run([] { return interrupted(); });
    if (progress) progress->finish();
    if (!finished) {
      std::cerr << "depinsim: interrupted after " << world.closed_epochs() << " of "
                << scenario.epochs() << " epochs; no output written\n";
      return kInterrupted;  // the writer's destructor removes the partial file
    }
    const double wall = run.wall_seconds();
    run.write(*out);
    log(LogLevel::info, "wrote " + options.output_path);

    const RunSummary summary = RunSummary::of(scenario, world, wall);
    if (options.json) {
      print_json(std::cout, summary, options.output_path);
    } else if (!options.quiet) {
      print_table(std::cout, summary);
      std::cout << "wrote " << options.output_path << "\n";
    }
    return kOk;
  } catch (const std::exception& e) {
    // The writer's destructor removes the partial file: nothing is left looking whole.
    std::cerr << "depinsim: run failed: " << e.what() << "\n";
    return kRunFailed;
  }
}

}  // namespace depinsim_cli
