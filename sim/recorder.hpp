#pragma once
// Declared time series, one value per step, written to HDF5 in one go.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace sim {

class Hdf5Writer;

/// A set of declared series that grow by one row per step (an epoch, a sample period).
/// Series are declared once with their units and meaning, as Mesa's DataCollector declares
/// reporters; each step sets every series, and write() stores them as 1-D datasets.
///   Recorder r;  auto rmse = r.real("quality/rmse_c", "degC", "RMSE of accepted readings");
///   r.set(rmse, 0.31);  r.end_row();  r.write(writer, "epochs");
class Recorder {
 public:
  struct RealSeries {
    std::size_t index;
  };
  struct CountSeries {
    std::size_t index;
  };

  RealSeries real(std::string path, std::string units, std::string description);
  CountSeries count(std::string path, std::string units, std::string description);

  void set(RealSeries s, double value);
  void set(CountSeries s, std::int64_t value);
  void add(CountSeries s, std::int64_t value);
  /// Closes the current row. Throws std::logic_error naming any series that was not set.
  void end_row();

  std::size_t rows() const { return rows_; }
  std::size_t series_count() const { return series_.size(); }
  const std::vector<double>& reals(RealSeries s) const;
  const std::vector<std::int64_t>& counts(CountSeries s) const;

  /// Writes every series as `<prefix>/<path>` with its units and description attributes.
  void write(Hdf5Writer& out, std::string_view prefix) const;

 private:
  struct Series {
    std::string path;
    std::string units;
    std::string description;
    std::variant<std::vector<double>, std::vector<std::int64_t>> values;
    bool set_this_row = false;
  };
  std::size_t declare(std::string path, std::string units, std::string description, bool real);
  /// The current row's value of series `index`, appended (zero) on first use in the row.
  template <class T>
  T& cell(std::size_t index);

  std::vector<Series> series_;
  std::size_t rows_ = 0;
};

}  // namespace sim
