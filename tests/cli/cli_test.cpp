// The depinsim binary end to end: exit statuses, messages, and the files it leaves behind.
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "sim/hdf5_file.hpp"
#include "sim/hdf5_reader.hpp"

namespace fs = std::filesystem;

namespace {

struct Result {
  int status = -1;
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A fresh directory per test, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("depinsim-cli-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

/// Runs depinsim with `args` (already shell-quoted where needed) and an optional environment
/// prefix.
Result depinsim(const std::string& args, const std::string& env = "") {
  static int n = 0;
  const fs::path dir = fs::temp_directory_path();
  const fs::path out =
      dir / ("depinsim-cli-out-" + std::to_string(::getpid()) + "-" + std::to_string(n));
  const fs::path err =
      dir / ("depinsim-cli-err-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
  const std::string cmd =
      env + " '" DEPINSIM_BINARY "' " + args + " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int raw = std::system(cmd.c_str());
  Result r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

const std::string kScenario = DEPINSIM_SOURCE_DIR "/scenarios/basic_sensors.yaml";
// The default scenario, shortened for tests: 300 sensors on 60 km x 60 km for 4 days.
const std::string kShort =
    "--set run.duration=4d --set population[0].count=300 --set region.width_km=60 "
    "--set region.height_km=60";

bool no_files_in(const fs::path& dir) {
  return fs::is_empty(dir);
}

/// True when `text` matches `pattern`, where each "{any}" in the pattern stands for any text
/// (for figures that depend on the machine, such as its memory).
bool matches(const std::string& text, const std::string& pattern) {
  const std::string hole = "{any}";
  std::vector<std::string> pieces;
  std::size_t from = 0;
  for (std::size_t at = pattern.find(hole); at != std::string::npos;
       at = pattern.find(hole, from)) {
    pieces.push_back(pattern.substr(from, at - from));
    from = at + hole.size();
  }
  pieces.push_back(pattern.substr(from));
  if (pieces.size() == 1) return text == pattern;
  if (!text.starts_with(pieces.front()) || !text.ends_with(pieces.back())) return false;
  std::size_t at = pieces.front().size();
  for (std::size_t i = 1; i + 1 < pieces.size(); ++i) {
    at = text.find(pieces[i], at);
    if (at == std::string::npos) return false;
    at += pieces[i].size();
  }
  return at + pieces.back().size() <= text.size();
}

}  // namespace

TEST_CASE("cli: run writes a whole file with the output contract", "[cli]") {
  TempDir tmp;
  const fs::path file = tmp.path / "run.h5";
  const Result r = depinsim("run '" + kScenario + "' -o '" + file.string() + "' " + kShort);
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("basic-sensors (seed 42): 300 sensors, 4 epochs of 1d") != std::string::npos);
  CHECK(r.out.find("bad data accepted") != std::string::npos);
  CHECK(r.err.empty());
  REQUIRE(fs::exists(file));
  CHECK(std::distance(fs::directory_iterator(tmp.path), fs::directory_iterator{}) == 1);

  const sim::Hdf5Reader h5(file);
  CHECK(h5.int_attribute("/", "schema_version") == 1);
  CHECK(h5.int_attribute("/", "seed") == 42);
  CHECK(h5.int_attribute("/", "run_index") == 0);
  CHECK(h5.string_attribute("/", "scenario_name") == "basic-sensors");
  CHECK(h5.string_attribute("/", "depinsim_version") == DEPINSIM_VERSION);
  CHECK(!h5.string_attribute("/", "git_commit").empty());
  CHECK(h5.string_attribute("/", "created_utc").size() == 20);
  CHECK(h5.double_attribute("/", "wall_seconds") > 0.0);
  // The stored scenario is the resolved one: overrides and defaults applied.
  const std::string scenario = h5.read_text("scenario");
  CHECK(scenario.find("duration: 4d") != std::string::npos);
  CHECK(scenario.find("count: 300") != std::string::npos);
  CHECK(scenario.find("features: 32") != std::string::npos);

  for (const char* path :
       {"epochs/time/epoch", "epochs/quality/submitted", "epochs/quality/arrived",
        "epochs/quality/accepted", "epochs/quality/rmse_c", "epochs/quality/honest/accepted",
        "epochs/quality/fabricator/rejected", "epochs/tokens/minted",
        "epochs/tokens/paid_honest"}) {
    CAPTURE(path);
    REQUIRE(h5.has_dataset(path));
    CHECK(h5.shape(path) == std::vector<std::size_t>{4});
    CHECK(!h5.string_attribute(path, "units").empty());
    CHECK(!h5.string_attribute(path, "description").empty());
  }
  CHECK(h5.shape("nodes/x_km") == std::vector<std::size_t>{300});
  CHECK(h5.read_strings("nodes/behaviour").size() == 300);
  const auto minted = h5.read_doubles("epochs/tokens/minted");
  CHECK(minted == std::vector<double>(4, 10000.0));
}

// Every sensor mechanism at once, with the parallel ones (kriging rounds) doing real work.
const std::string kAllMechanisms =
    "--set 'validation.readings=[{kind: qod}, {kind: spatial_consensus, method: kriging, "
    "iterations: 3}]' --set validation.coverage.kind=helium_poc --set "
    "validation.location.kind=witness_geometry --set validation.reputation.kind=beta --set "
    "validation.collusion.kind=witness_graph --set validation.collusion.analyse_every=2 --set "
    "rewards.distribution.kind=data_and_coverage --set radio.beacon_every=6h --set "
    "population[0].behaviour.fabricator.share=0.02 --set population[0].behaviour.colluder=0.02";

TEST_CASE("cli: the same seed gives identical datasets at any thread count", "[cli]") {
  const std::string mechanisms = GENERATE(std::string(""), kAllMechanisms);
  CAPTURE(mechanisms);
  TempDir tmp;
  const auto run = [&](const std::string& name, const std::string& env, const std::string& extra) {
    const fs::path file = tmp.path / name;
    const Result r = depinsim("run '" + kScenario + "' -q -o '" + file.string() + "' " + kShort +
                                  " " + mechanisms + " " + extra,
                              env);
    INFO(r.err);
    REQUIRE(r.status == 0);
    return file;
  };
  const fs::path one = run("one.h5", "OMP_NUM_THREADS=1", "");
  const fs::path two = run("two.h5", "OMP_NUM_THREADS=2", "");
  const fs::path again = run("again.h5", "OMP_NUM_THREADS=2", "");
  const fs::path other = run("other.h5", "OMP_NUM_THREADS=2", "--seed 43");
  const sim::Hdf5Reader a(one), b(two), c(again), d(other);
  REQUIRE(a.datasets() == b.datasets());
  bool any_difference_with_other_seed = false;
  for (const std::string& path : a.datasets()) {
    CAPTURE(path);
    if (path == "scenario") continue;
    if (path == "nodes/behaviour" || path == "nodes/kind" || path == "nodes/hardware") {
      CHECK(a.read_strings(path) == b.read_strings(path));
      continue;
    }
    const auto is_integer = [&](const sim::Hdf5Reader& r) {
      try {
        r.read_int64(path);
        return true;
      } catch (const sim::Hdf5Error&) {
        return false;
      }
    };
    if (is_integer(a)) {
      const auto ia = a.read_int64(path);
      CHECK(ia == b.read_int64(path));
      CHECK(ia == c.read_int64(path));
      if (d.read_int64(path) != ia) any_difference_with_other_seed = true;
      continue;
    }
    const auto va = a.read_doubles(path);
    const auto vb = b.read_doubles(path);
    const auto vc = c.read_doubles(path);
    REQUIRE(va.size() == vb.size());
    REQUIRE(va.size() == vc.size());
    // Bitwise equality, NaN included.
    CHECK(std::memcmp(va.data(), vb.data(), va.size() * sizeof(double)) == 0);
    CHECK(std::memcmp(va.data(), vc.data(), va.size() * sizeof(double)) == 0);
    const auto vd = d.read_doubles(path);
    if (vd.size() != va.size() ||
        std::memcmp(va.data(), vd.data(), va.size() * sizeof(double)) != 0) {
      any_difference_with_other_seed = true;
    }
  }
  CHECK(a.read_text("scenario") == b.read_text("scenario"));
  CHECK(any_difference_with_other_seed);
  CHECK(d.int_attribute("/", "seed") == 43);
}

TEST_CASE("cli: every bad scenario in the corpus gives its one-line error, exit 2, no file",
          "[cli]") {
  const fs::path corpus = DEPINSIM_SOURCE_DIR "/tests/data/bad";
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(corpus)) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string file = entry.path().string();
    std::ifstream in(entry.path());
    std::string header;
    std::getline(in, header);
    const std::string prefix = "# expect: ";
    REQUIRE(header.starts_with(prefix));
    std::string expected = header.substr(prefix.size());
    expected.replace(expected.find("{file}"), 6, file);
    if (const auto dir = expected.find("{dir}"); dir != std::string::npos) {
      expected.replace(dir, 5, entry.path().parent_path().string());
    }

    TempDir tmp;
    const fs::path out = tmp.path / "out.h5";
    const Result r = depinsim("run '" + file + "' -o '" + out.string() + "'");
    CAPTURE(file);
    CHECK(r.status == 2);
    CHECK(matches(r.err, expected + "\n"));
    CHECK(r.out.empty());
    CHECK(no_files_in(tmp.path));
    const Result v = depinsim("validate '" + file + "'");
    CHECK(v.status == 2);
    CHECK(matches(v.err, expected + "\n"));
    ++checked;
  }
  CHECK(checked >= 40);
}

TEST_CASE("cli: a missing scenario file is named, exit 2, no output", "[cli]") {
  TempDir tmp;
  const Result r = depinsim("run '" + (tmp.path / "nope.yaml").string() + "' -o '" +
                            (tmp.path / "out.h5").string() + "'");
  CHECK(r.status == 2);
  CHECK(r.err == (tmp.path / "nope.yaml").string() + ": no such file\n");
  CHECK(no_files_in(tmp.path));
}

TEST_CASE("cli: a bad --set is reported against the override, exit 2", "[cli]") {
  TempDir tmp;
  const Result r = depinsim("run '" + kScenario + "' -o '" + (tmp.path / "o.h5").string() +
                            "' --set population[0].count=-3");
  CHECK(r.status == 2);
  CHECK(r.err ==
        "--set population[0].count=-3: population[0].count: must be non-negative, found -3\n");
  CHECK(no_files_in(tmp.path));
}

TEST_CASE("cli: an output directory that does not exist is bad input", "[cli]") {
  TempDir tmp;
  const Result r = depinsim("run '" + kScenario + "' " + kShort + " -o '" +
                            (tmp.path / "missing" / "o.h5").string() + "'");
  CHECK(r.status == 2);
  CHECK(r.err.find("missing") != std::string::npos);
  CHECK(no_files_in(tmp.path));
}

TEST_CASE("cli: validate accepts the default scenario and usage errors exit 2", "[cli]") {
  const Result ok = depinsim("validate '" + kScenario + "'");
  CHECK(ok.status == 0);
  CHECK(ok.out.find(": ok (basic-sensors: 2000 sensors, 90 epochs of 1d)") != std::string::npos);
  CHECK(depinsim("").status == 2);
  CHECK(depinsim("frobnicate").status == 2);
  CHECK(depinsim("run '" + kScenario + "'").status == 2);  // no -o
  const Result version = depinsim("--version");
  CHECK(version.status == 0);
  CHECK(version.out == "depinsim " DEPINSIM_VERSION "\n");
  const Result help = depinsim("--help");
  CHECK(help.status == 0);
  CHECK(help.out.find("run") != std::string::npos);
}

TEST_CASE("cli: --json prints one machine-readable summary", "[cli]") {
  TempDir tmp;
  const fs::path file = tmp.path / "j.h5";
  const Result r = depinsim("run '" + kScenario + "' --json -o '" + file.string() + "' " + kShort);
  REQUIRE(r.status == 0);
  CHECK(r.out.starts_with("{\"scenario\": \"basic-sensors\", \"seed\": 42, \"sensors\": 300"));
  CHECK(r.out.find("\"readings\": {\"submitted\": 28800") != std::string::npos);  // 300 x 24 x 4
  CHECK(r.out.find("\"minted\": 40000") != std::string::npos);
  CHECK(r.out.find("\"output\": \"" + file.string() + "\"}") != std::string::npos);
  CHECK(std::count(r.out.begin(), r.out.end(), '{') == std::count(r.out.begin(), r.out.end(), '}'));
}

TEST_CASE("cli: info summarises an output file and refuses a broken one", "[cli]") {
  TempDir tmp;
  const fs::path file = tmp.path / "i.h5";
  REQUIRE(depinsim("run '" + kScenario + "' -q -o '" + file.string() + "' " + kShort).status == 0);
  const Result info = depinsim("info '" + file.string() + "'");
  CHECK(info.status == 0);
  CHECK(info.out.find("scenario_name     basic-sensors") != std::string::npos);
  CHECK(info.out.find("epochs/quality/rmse_c") != std::string::npos);
  CHECK(info.out.find("degC") != std::string::npos);

  const fs::path broken = tmp.path / "broken.h5";
  std::ofstream(broken) << "not hdf5 at all";
  const Result bad = depinsim("info '" + broken.string() + "'");
  CHECK(bad.status == 2);
  CHECK(bad.err.find(broken.string()) == 0);
  CHECK(depinsim("info '" + (tmp.path / "missing.h5").string() + "'").status == 2);
}

TEST_CASE("cli: an interrupted run exits 130 and leaves no file", "[cli]") {
  TempDir tmp;
  const fs::path file = tmp.path / "long.h5";
  // Ten years of epochs cannot finish in a second; SIGINT arrives first.
  const Result r =
      depinsim("run '" + kScenario + "' -o '" + file.string() + "' --set run.duration=3650d",
               "timeout --preserve-status -s INT 1");
  CHECK(r.status == 130);
  CHECK(r.err.find("interrupted after") != std::string::npos);
  CHECK(r.out.empty());
  CHECK(no_files_in(tmp.path));
}

TEST_CASE("cli: scenarios/README.md lists every parameter as declared in the code", "[cli]") {
  const Result table = depinsim("help params --markdown");
  REQUIRE(table.status == 0);
  const std::string readme = slurp(DEPINSIM_SOURCE_DIR "/scenarios/README.md");
  const std::string begin = "<!-- params:begin -->\n";
  const auto from = readme.find(begin);
  const auto to = readme.find("<!-- params:end -->");
  REQUIRE(from != std::string::npos);
  REQUIRE(to != std::string::npos);
  INFO("regenerate with: cmake --build --preset release --target scenario-docs");
  CHECK(readme.substr(from + begin.size(), to - from - begin.size()) == table.out);
}

TEST_CASE("cli: help params lists keys with their help and filters by prefix", "[cli]") {
  const Result all = depinsim("help params");
  CHECK(all.status == 0);
  CHECK(all.out.find("population[sensor].count") != std::string::npos);
  CHECK(all.out.find("population[storage].count") != std::string::npos);
  CHECK(all.out.find("population[compute].count") != std::string::npos);
  CHECK(all.out.find("network.latency.jitter_mean") != std::string::npos);
  const Result some = depinsim("help params validation.readings");
  CHECK(some.status == 0);
  CHECK(some.out.find("validation.readings[kind=spatial_consensus].z_max") != std::string::npos);
  CHECK(some.out.find("population") == std::string::npos);
  const Result none = depinsim("help params nosuchkey");
  CHECK(none.status == 2);
  CHECK(none.err == "depinsim: no parameter starts with \"nosuchkey\"\n");
}

TEST_CASE("cli: every scenario in scenarios/ validates and runs shortened", "[cli][scenario]") {
  int count = 0;
  for (const auto& entry : fs::directory_iterator(DEPINSIM_SOURCE_DIR "/scenarios")) {
    if (entry.path().extension() != ".yaml") continue;
    const std::string file = entry.path().string();
    CAPTURE(file);
    CHECK(depinsim("validate '" + file + "'").status == 0);
    TempDir tmp;
    const Result r = depinsim("run '" + file + "' -q -o '" + (tmp.path / "s.h5").string() +
                              "' --set run.duration=2d --set run.epoch=1d");
    INFO(r.err);
    CHECK(r.status == 0);
    CHECK(fs::exists(tmp.path / "s.h5"));
    ++count;
  }
  CHECK(count >= 1);
}

TEST_CASE("cli: progress lines and log messages go to stderr, never stdout", "[cli]") {
  TempDir tmp;
  const fs::path file = tmp.path / "p.h5";
  const Result r = depinsim("--log-level info run '" + kScenario + "' -o '" + file.string() + "' " +
                            kShort + " --set run.duration=20d --progress-every 0");
  REQUIRE(r.status == 0);
  CHECK(r.err.find("depinsim: info: scenario basic-sensors: 300 sensors, 20 epochs, seed 42\n") ==
        0);
  CHECK(r.err.find("depinsim: progress: epoch ") != std::string::npos);
  CHECK(r.err.find("depinsim: info: wrote " + file.string()) != std::string::npos);
  CHECK(r.out.find("progress") == std::string::npos);
  CHECK(r.out.find("info") == std::string::npos);

  const Result isolated = depinsim("run '" + kScenario + "' -q -o '" + file.string() +
                                   "2' --set population[0].count=50 --set run.duration=1d");
  CHECK(isolated.status == 0);
  CHECK(isolated.err.find("depinsim: warn: ") == 0);
  CHECK(isolated.err.find("no route to the oracle") != std::string::npos);
  const Result silent =
      depinsim("--log-level error run '" + kScenario + "' -q -o '" + file.string() +
               "3' --set population[0].count=50 --set run.duration=1d");
  CHECK(silent.err.empty());
  CHECK(depinsim("--log-level loud validate '" + kScenario + "'").status == 2);
}

TEST_CASE("cli: merge indexes run files and links each one", "[cli]") {
  TempDir tmp;
  for (int seed : {5, 6}) {
    const Result r = depinsim("run '" + kScenario + "' -q -o '" +
                              (tmp.path / ("r" + std::to_string(seed) + ".h5")).string() + "' " +
                              kShort + " --seed " + std::to_string(seed));
    REQUIRE(r.status == 0);
  }
  const fs::path index = tmp.path / "index.h5";
  const Result m = depinsim("merge '" + (tmp.path / "r5.h5").string() + "' '" +
                            (tmp.path / "r6.h5").string() + "' -o '" + index.string() + "'");
  INFO(m.err);
  REQUIRE(m.status == 0);
  const sim::Hdf5Reader h5(index);
  CHECK(h5.string_attribute("/", "kind") == "index");
  CHECK(h5.read_strings("points/file") == std::vector<std::string>{"r5.h5", "r6.h5"});
  CHECK(h5.read_int64("points/seed") == std::vector<std::int64_t>{5, 6});
  // The links lead into the runs themselves.
  const sim::Hdf5Reader run6(tmp.path / "r6.h5");
  CHECK(h5.read_doubles("runs/000001/epochs/quality/rmse_c") ==
        run6.read_doubles("epochs/quality/rmse_c"));

  // An index is not a run; a missing file is named; neither leaves an output.
  const Result again =
      depinsim("merge '" + index.string() + "' -o '" + (tmp.path / "i2.h5").string() + "'");
  CHECK(again.status == 2);
  CHECK(again.err == index.string() + ": not a depinsim run file\n");
  const Result missing = depinsim("merge '" + (tmp.path / "nope.h5").string() + "' -o '" +
                                  (tmp.path / "i3.h5").string() + "'");
  CHECK(missing.status == 2);
  CHECK(missing.err.find("nope.h5") != std::string::npos);
  CHECK(!fs::exists(tmp.path / "i2.h5"));
  CHECK(!fs::exists(tmp.path / "i3.h5"));
}

TEST_CASE("cli: on a terminal, progress is a bar redrawn in place and cleared at the end",
          "[cli]") {
  TempDir tmp;
  const fs::path file = tmp.path / "tty.h5";
  // script(1) runs the program on a terminal; what it printed there lands in `captured`.
  const fs::path captured = tmp.path / "terminal.txt";
  const std::string inner = "'" DEPINSIM_BINARY "' run '" + kScenario + "' -o '" + file.string() +
                            "' --set run.duration=30d";
  const int raw = std::system(
      ("script -qec \"" + inner + "\" /dev/null > '" + captured.string() + "' 2>&1").c_str());
  Result r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(captured);
  if (r.status != 0 && r.out.find("pseudo-terminal") != std::string::npos) {
    WARN("no pseudo-terminal on this machine: the terminal progress bar is not checked");
    return;
  }
  REQUIRE(r.status == 0);
  CHECK(r.out.find("\r[#") != std::string::npos);
  CHECK(r.out.find("] epoch ") != std::string::npos);
  CHECK(r.out.find(" M node-days/s  ETA ") != std::string::npos);
  CHECK(r.out.find("\r\x1b[K") != std::string::npos);  // cleared before the summary
  CHECK(r.out.find("depinsim: progress:") == std::string::npos);
  CHECK(fs::exists(file));
}
