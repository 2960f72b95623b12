#include "sim/hdf5_file.hpp"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "sim/hdf5_reader.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using sim::Hdf5Error;
using sim::Hdf5Reader;
using sim::Hdf5Writer;

namespace {

// A fresh directory under the system temporary directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    static int count = 0;
    path_ = fs::temp_directory_path() /
            ("depinsim-hdf5-test-" + std::to_string(::getpid()) + "-" + std::to_string(count++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  fs::path operator/(const std::string& name) const { return path_ / name; }
  std::vector<fs::path> files() const {
    return {fs::directory_iterator(path_), fs::directory_iterator()};
  }

 private:
  fs::path path_;
};

// The message of the Hdf5Error that `action` throws; fails the test when it throws none.
template <class F>
std::string error_of(F&& action) {
  try {
    action();
  } catch (const Hdf5Error& e) {
    return e.what();
  }
  FAIL("no sim::Hdf5Error was thrown");
  return {};
}

std::string contents(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void write_sample(const fs::path& path) {
  Hdf5Writer w(path);
  const std::vector<double> v{1.5, -2.25, 3.0};
  const std::vector<std::int64_t> n{1, 2, 3};
  const std::vector<std::string> s{"honest", "spoofer"};
  const std::vector<double> m(6, 0.5);
  std::vector<double> long_series(10000);
  for (std::size_t i = 0; i < long_series.size(); ++i)
    long_series[i] = std::sin(0.01 * i);
  w.write_series("epochs/quality/rmse_c", v, "degC", "RMSE of accepted readings");
  w.write_series("epochs/nodes/active", n, "1", "active nodes");
  w.write_series("epochs/time/long", long_series, "1", "a chunked series");
  w.write_strings("nodes/behaviour", s, "behaviour of each node");
  w.write_matrix("node_epochs/score", m, 2, 3, "1", "score per epoch and node");
  w.write_text("scenario", "name: test\nseed: 42\n", "resolved scenario");
  w.set_attribute("/", "schema_version", std::int64_t{1});
  w.set_attribute("/", "scenario_name", "test");
  w.set_attribute("epochs/quality/rmse_c", "scale", 2.5);
  w.commit();
}

}  // namespace

TEST_CASE("sim::Hdf5Writer: series, strings, matrices, text and attributes read back unchanged",
          "[unit]") {
  TempDir dir;
  const fs::path path = dir / "run.h5";
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> doubles{0.0, -1.5, 1e-300, nan, inf, -inf};
  const std::vector<std::int64_t> ints{0, -1, std::numeric_limits<std::int64_t>::min(),
                                       std::numeric_limits<std::int64_t>::max()};
  const std::vector<std::string> strings{"honest", "", "Grüße, 東京"};
  std::vector<double> long_series(5000);
  for (std::size_t i = 0; i < long_series.size(); ++i)
    long_series[i] = 0.5 * i;
  const std::vector<double> matrix{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const std::string yaml = "name: helium-iot\nseed: 42\nrun: {duration: 365d}\n";
  {
    Hdf5Writer w(path);
    w.write_series("epochs/quality/rmse_c", doubles, "degC", "RMSE of accepted readings");
    w.write_series("/epochs/quality/empty", std::vector<double>{}, "1", "no epochs yet");
    w.write_series("epochs/nodes/active", ints, "1", "active nodes");
    w.write_series("epochs/time/long", long_series, "s", "longer than one contiguous block");
    w.write_strings("nodes/behaviour", strings, "behaviour of each node");
    w.write_strings("nodes/empty", std::vector<std::string>{}, "no nodes");
    w.write_matrix("node_epochs/score", matrix, 3, 4, "1", "score per epoch and node");
    w.write_text("scenario", yaml, "resolved scenario");
    w.set_attribute("/", "scenario_name", "helium-iot");
    w.set_attribute("/", "run_index", std::int64_t{-3});
    w.set_attribute("/", "seed", std::uint64_t{0xFFFF'FFFF'FFFF'FFFFu});
    w.set_attribute("/", "wall_seconds", 12.25);
    w.set_attribute("epochs/nodes/active", "note", "counted at the cut-off");
    w.set_attribute("epochs/nodes/active", "offset", 7);
    w.set_attribute("epochs", "share", 0.5);
    w.commit();
  }
  const Hdf5Reader r(path);
  const std::vector<double> read = r.read_doubles("epochs/quality/rmse_c");
  REQUIRE(read.size() == doubles.size());
  CHECK(read[0] == 0.0);
  CHECK(read[1] == -1.5);
  CHECK(read[2] == 1e-300);
  CHECK(std::isnan(read[3]));
  CHECK(read[4] == inf);
  CHECK(read[5] == -inf);
  CHECK(r.read_doubles("epochs/quality/empty").empty());
  CHECK(r.shape("epochs/quality/empty") == std::vector<std::size_t>{0});
  CHECK(r.read_int64("epochs/nodes/active") == ints);
  CHECK(r.read_doubles("/epochs/time/long") == long_series);
  CHECK(r.read_strings("nodes/behaviour") == strings);
  CHECK(r.read_strings("nodes/empty").empty());
  CHECK(r.read_doubles("node_epochs/score") == matrix);
  CHECK(r.shape("node_epochs/score") == std::vector<std::size_t>{3, 4});
  CHECK(r.read_text("scenario") == yaml);
  CHECK(r.shape("scenario").empty());

  CHECK(r.string_attribute("epochs/quality/rmse_c", "units") == "degC");
  CHECK(r.string_attribute("epochs/quality/rmse_c", "description") == "RMSE of accepted readings");
  CHECK(r.string_attribute("node_epochs/score", "units") == "1");
  CHECK(r.string_attribute("nodes/behaviour", "description") == "behaviour of each node");
  CHECK_FALSE(r.has_attribute("nodes/behaviour", "units"));
  CHECK(r.string_attribute("/", "scenario_name") == "helium-iot");
  CHECK(r.int_attribute("/", "run_index") == -3);
  CHECK(r.uint_attribute("/", "seed") == 0xFFFF'FFFF'FFFF'FFFFu);
  CHECK(r.double_attribute("", "wall_seconds") == 12.25);
  CHECK(r.string_attribute("epochs/nodes/active", "note") == "counted at the cut-off");
  CHECK(r.int_attribute("epochs/nodes/active", "offset") == 7);
  CHECK(r.double_attribute("epochs", "share") == 0.5);
  CHECK(r.has_attribute("/", "seed"));
  CHECK_FALSE(r.has_attribute("/", "created_utc"));
  CHECK_THAT(error_of([&] { r.int_attribute("/", "seed"); }), Contains("seed"));
}

TEST_CASE("sim::Hdf5Writer: a file appears under its final name only after commit", "[unit]") {
  TempDir dir;
  const fs::path path = dir / "run.h5";
  Hdf5Writer w(path);
  w.write_series("epochs/x", std::vector<double>{1.0}, "1", "x");
  CHECK(w.partial_path().parent_path() == path.parent_path());
  CHECK(dir.files() == std::vector<fs::path>{w.partial_path()});
  w.commit();
  CHECK(dir.files() == std::vector<fs::path>{path});
  CHECK(Hdf5Reader(path).read_doubles("epochs/x") == std::vector<double>{1.0});
  CHECK_THAT(error_of([&] { w.write_series("epochs/y", std::vector<double>{}, "1", "y"); }),
             Contains("committed"));
}

TEST_CASE("sim::Hdf5Writer: a writer destroyed without commit leaves no file at all", "[unit]") {
  TempDir dir;
  {
    Hdf5Writer w(dir / "run.h5");
    w.write_series("epochs/x", std::vector<double>{1.0, 2.0}, "1", "x");
    CHECK(fs::exists(w.partial_path()));
  }
  CHECK(dir.files().empty());
  {
    Hdf5Writer moved_to = Hdf5Writer(dir / "moved.h5");
    moved_to.write_text("scenario", "name: x\n", "scenario");
  }
  CHECK(dir.files().empty());
}

TEST_CASE("sim::Hdf5Writer: a directory that does not exist is an error naming the path",
          "[unit]") {
  TempDir dir;
  const fs::path path = dir / "missing" / "run.h5";
  const std::string message = error_of([&] { Hdf5Writer w(path); });
  CHECK_THAT(message, Contains((dir / "missing").string()));
  CHECK_THAT(message, Contains("does not exist"));
  CHECK(message.find('\n') == std::string::npos);
}

TEST_CASE("sim::Hdf5Writer: writing a path or an attribute twice is an error naming it", "[unit]") {
  TempDir dir;
  Hdf5Writer w(dir / "run.h5");
  const std::vector<double> v{1.0};
  w.write_series("epochs/quality/rmse_c", v, "degC", "RMSE");
  CHECK_THAT(error_of([&] { w.write_series("epochs/quality/rmse_c", v, "degC", "RMSE"); }),
             Contains("epochs/quality/rmse_c"));
  CHECK_THAT(error_of([&] { w.write_text("epochs/quality", "x", "a group already"); }),
             Contains("epochs/quality"));
  CHECK_THAT(
      error_of([&] { w.write_series("epochs/quality/rmse_c/sub", v, "1", "under a dataset"); }),
      Contains("is not a group"));
  CHECK_THAT(error_of([&] { w.write_series("epochs//x", v, "1", "bad path"); }),
             Contains("epochs//x"));
  CHECK_THAT(error_of([&] { w.write_matrix("m", v, 2, 2, "1", "wrong size"); }), Contains("2x2"));
  w.set_attribute("/", "seed", std::int64_t{1});
  CHECK_THAT(error_of([&] { w.set_attribute("/", "seed", std::int64_t{2}); }), Contains("seed"));
  CHECK_THAT(error_of([&] { w.set_attribute("nodes/id", "x", 1.0); }), Contains("nodes/id"));
}

TEST_CASE("sim::Hdf5Writer: two files written with identical calls are byte-identical", "[unit]") {
  TempDir dir;
  write_sample(dir / "a.h5");
  // HDF5 stores modification times with one-second resolution: a pause makes them differ.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  write_sample(dir / "b.h5");
  const std::string a = contents(dir / "a.h5");
  CHECK(!a.empty());
  CHECK(a == contents(dir / "b.h5"));
}

TEST_CASE("sim::Hdf5Writer: long series are stored compressed", "[unit]") {
  TempDir dir;
  const std::vector<double> zeros(100'000, 0.0);
  {
    Hdf5Writer w(dir / "run.h5");
    w.write_series("nodes/x_km", zeros, "km", "node positions");
    w.commit();
  }
  CHECK(fs::file_size(dir / "run.h5") < zeros.size() * sizeof(double) / 10);
  CHECK(Hdf5Reader(dir / "run.h5").read_doubles("nodes/x_km") == zeros);
}

TEST_CASE("sim::Hdf5Reader: missing, foreign and truncated files are errors, not crashes",
          "[unit]") {
  TempDir dir;
  CHECK_THAT(error_of([&] { Hdf5Reader r(dir / "missing.h5"); }), Contains("missing.h5"));

  const fs::path text = dir / "notes.h5";
  std::ofstream(text) << "this is not an HDF5 file\n";
  CHECK_THAT(error_of([&] { Hdf5Reader r(text); }), Contains("not an HDF5 file"));

  const fs::path truncated = dir / "truncated.h5";
  write_sample(truncated);
  fs::resize_file(truncated, fs::file_size(truncated) / 2);
  const std::string message = error_of([&] {
    Hdf5Reader r(truncated);
    for (const std::string& path : r.datasets()) {
      if (path == "scenario") r.read_text(path);
    }
    r.read_doubles("epochs/time/long");
  });
  CHECK_THAT(message, Contains("truncated.h5"));
  CHECK(message.find('\n') == std::string::npos);
}

TEST_CASE("sim::Hdf5Reader: a missing path or a value of another type is an error naming it",
          "[unit]") {
  TempDir dir;
  write_sample(dir / "run.h5");
  const Hdf5Reader r(dir / "run.h5");
  CHECK_THAT(error_of([&] { r.read_doubles("epochs/quality/nope"); }),
             Contains("epochs/quality/nope"));
  CHECK_THAT(error_of([&] { r.read_doubles("nope/deeper/still"); }), Contains("nope/deeper/still"));
  CHECK_THAT(error_of([&] { r.read_int64("epochs/quality/rmse_c"); }),
             Contains("epochs/quality/rmse_c"));
  CHECK_THAT(error_of([&] { r.read_doubles("nodes/behaviour"); }), Contains("nodes/behaviour"));
  CHECK_THAT(error_of([&] { r.read_strings("epochs/nodes/active"); }),
             Contains("epochs/nodes/active"));
  CHECK_THAT(error_of([&] { r.read_text("nodes/behaviour"); }), Contains("nodes/behaviour"));
  CHECK_THAT(error_of([&] { r.read_doubles("epochs"); }), Contains("not a dataset"));
  CHECK_THAT(error_of([&] { r.string_attribute("/", "schema_version"); }),
             Contains("schema_version"));
  CHECK_THAT(error_of([&] { r.int_attribute("/", "nope"); }), Contains("nope"));
  CHECK_THAT(error_of([&] { r.has_attribute("nope", "units"); }), Contains("nope"));
  CHECK(r.has_dataset("epochs/quality/rmse_c"));
  CHECK_FALSE(r.has_dataset("epochs/quality"));
  CHECK_FALSE(r.has_dataset("epochs/quality/rmse_c/below"));
}

TEST_CASE("sim::Hdf5Reader: datasets() lists nested paths sorted", "[unit]") {
  TempDir dir;
  write_sample(dir / "run.h5");
  CHECK(Hdf5Reader(dir / "run.h5").datasets() ==
        std::vector<std::string>{"epochs/nodes/active", "epochs/quality/rmse_c", "epochs/time/long",
                                 "node_epochs/score", "nodes/behaviour", "scenario"});
}

TEST_CASE("sim::Hdf5Writer: an external link reads through to the other file", "[unit]") {
  TempDir dir;
  {
    Hdf5Writer target(dir / "target.h5");
    const std::vector<double> v{1.5, 2.5};
    target.write_series("epochs/x", v, "m", "x");
    target.commit();
  }
  {
    Hdf5Writer index(dir / "index.h5");
    index.link_external("runs/000000", "target.h5", "/");
    CHECK_THAT(error_of([&] { index.link_external("runs/000000", "target.h5", "/"); }),
               Contains("already written"));
    index.commit();
  }
  // Read from another working directory: the relative name resolves next to the index.
  const Hdf5Reader h5(dir / "index.h5");
  CHECK(h5.read_doubles("runs/000000/epochs/x") == std::vector<double>{1.5, 2.5});
  CHECK(h5.string_attribute("runs/000000/epochs/x", "units") == "m");
}
