#pragma once
// Reading back what Hdf5Writer writes: for tests, `depinsim info` and comparing runs.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/hdf5_file.hpp"

namespace sim {

/// Opens an HDF5 file read-only. Every problem — a missing, foreign or damaged file, a missing
/// object, a value of another type — is an Hdf5Error naming the file and the object. Paths are
/// relative to the root, with or without a leading '/'.
///   Hdf5Reader r("out/run.h5");  auto rmse = r.read_doubles("epochs/quality/rmse_c");
class Hdf5Reader {
 public:
  explicit Hdf5Reader(const std::filesystem::path& path);
  ~Hdf5Reader();
  Hdf5Reader(Hdf5Reader&& other) noexcept;
  Hdf5Reader& operator=(Hdf5Reader&& other) noexcept;
  Hdf5Reader(const Hdf5Reader&) = delete;
  Hdf5Reader& operator=(const Hdf5Reader&) = delete;

  const std::filesystem::path& path() const { return path_; }

  /// Every dataset path, recursively, sorted, without a leading '/' ("epochs/time/day").
  std::vector<std::string> datasets() const;
  bool has_dataset(std::string_view path) const;
  /// Dimensions of a dataset; empty for a scalar.
  std::vector<std::size_t> shape(std::string_view path) const;

  /// Floating-point values of any rank, flattened in row-major order.
  std::vector<double> read_doubles(std::string_view path) const;
  /// Integer values of any rank, flattened; unsigned 64-bit datasets are refused.
  std::vector<std::int64_t> read_int64(std::string_view path) const;
  std::vector<std::string> read_strings(std::string_view path) const;
  /// A scalar string dataset, as written by Hdf5Writer::write_text.
  std::string read_text(std::string_view path) const;

  /// Attributes of a group or dataset ("/" is the root); the object must exist.
  bool has_attribute(std::string_view object_path, std::string_view name) const;
  std::string string_attribute(std::string_view object_path, std::string_view name) const;
  /// Integer attributes of either signedness, refused when the value does not fit.
  std::int64_t int_attribute(std::string_view object_path, std::string_view name) const;
  std::uint64_t uint_attribute(std::string_view object_path, std::string_view name) const;
  double double_attribute(std::string_view object_path, std::string_view name) const;

 private:
  template <class T>
  T read_attribute(std::string_view object_path, std::string_view name) const;

  std::filesystem::path path_;
  std::unique_ptr<H5::H5File> file_;
};

}  // namespace sim
