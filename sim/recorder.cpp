#include "sim/recorder.hpp"

#include <stdexcept>

#include "sim/hdf5_file.hpp"

namespace sim {

std::size_t Recorder::declare(std::string path, std::string units, std::string description,
                              bool real) {
  if (rows_ > 0) throw std::logic_error("Recorder: series \"" + path + "\" declared after rows");
  for (const Series& s : series_) {
    if (s.path == path) throw std::logic_error("Recorder: series \"" + path + "\" declared twice");
  }
  Series s{std::move(path), std::move(units), std::move(description), {}, false};
  if (real) {
    s.values = std::vector<double>{};
  } else {
    s.values = std::vector<std::int64_t>{};
  }
  series_.push_back(std::move(s));
  return series_.size() - 1;
}

Recorder::RealSeries Recorder::real(std::string path, std::string units, std::string description) {
  return {declare(std::move(path), std::move(units), std::move(description), true)};
}

Recorder::CountSeries Recorder::count(std::string path, std::string units,
                                      std::string description) {
  return {declare(std::move(path), std::move(units), std::move(description), false)};
}

template <class T>
T& Recorder::cell(std::size_t index) {
  Series& series = series_.at(index);
  auto& v = std::get<std::vector<T>>(series.values);
  if (!series.set_this_row) {
    v.push_back(T{});
    series.set_this_row = true;
  }
  return v.back();
}

void Recorder::set(RealSeries s, double value) {
  cell<double>(s.index) = value;
}
void Recorder::set(CountSeries s, std::int64_t value) {
  cell<std::int64_t>(s.index) = value;
}
void Recorder::add(CountSeries s, std::int64_t value) {
  cell<std::int64_t>(s.index) += value;
}

void Recorder::end_row() {
  for (Series& s : series_) {
    if (!s.set_this_row) {
      throw std::logic_error("Recorder: series \"" + s.path + "\" was not set in row " +
                             std::to_string(rows_));
    }
    s.set_this_row = false;
  }
  ++rows_;
}

const std::vector<double>& Recorder::reals(RealSeries s) const {
  return std::get<std::vector<double>>(series_.at(s.index).values);
}

const std::vector<std::int64_t>& Recorder::counts(CountSeries s) const {
  return std::get<std::vector<std::int64_t>>(series_.at(s.index).values);
}

void Recorder::write(Hdf5Writer& out, std::string_view prefix) const {
  for (const Series& s : series_) {
    const std::string path = std::string(prefix) + "/" + s.path;
    std::visit(
        [&](const auto& values) {
          // A row left open (set but not ended) is not written: every dataset has rows() values.
          const std::span span(values.data(), rows_);
          out.write_series(path, span, s.units, s.description);
        },
        s.values);
  }
}

}  // namespace sim
