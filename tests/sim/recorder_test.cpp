#include "sim/recorder.hpp"

#include <filesystem>

#include <catch2/catch.hpp>

#include "sim/hdf5_file.hpp"
#include "sim/hdf5_reader.hpp"

TEST_CASE("sim::Recorder: rows of declared series reach HDF5 with units and descriptions",
          "[unit]") {
  sim::Recorder r;
  const auto rmse = r.real("quality/rmse_c", "degC", "error");
  const auto n = r.count("quality/accepted", "1", "accepted readings");
  for (int row = 0; row < 3; ++row) {
    r.set(rmse, 0.5 * row);
    r.add(n, 2);
    r.add(n, row);
    r.end_row();
  }
  CHECK(r.rows() == 3);
  CHECK(r.counts(n) == std::vector<std::int64_t>{2, 3, 4});

  const auto path = std::filesystem::temp_directory_path() /
                    ("recorder-test-" + std::to_string(::getpid()) + ".h5");
  {
    sim::Hdf5Writer w(path);
    r.write(w, "epochs");
    w.commit();
  }
  const sim::Hdf5Reader h5(path);
  CHECK(h5.read_doubles("epochs/quality/rmse_c") == std::vector<double>{0.0, 0.5, 1.0});
  CHECK(h5.read_int64("epochs/quality/accepted") == std::vector<std::int64_t>{2, 3, 4});
  CHECK(h5.string_attribute("epochs/quality/rmse_c", "units") == "degC");
  CHECK(h5.string_attribute("epochs/quality/accepted", "description") == "accepted readings");
  std::filesystem::remove(path);
}

TEST_CASE("sim::Recorder: a row with a series left unset is refused", "[unit]") {
  sim::Recorder r;
  const auto a = r.real("a", "1", "");
  r.count("b", "1", "");
  r.set(a, 1.0);
  CHECK_THROWS_WITH(r.end_row(), Catch::Contains("\"b\" was not set"));
  CHECK_THROWS(r.real("a", "1", ""));
}
