#pragma once
// Writing HDF5 output files that appear under their final name only when whole.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace H5 {
class H5File;
}

namespace sim {

/// Every problem writing or reading an HDF5 file; what() is one line naming the file and problem.
///   try { Hdf5Reader r(path); } catch (const Hdf5Error& e) { std::cerr << e.what() << '\n'; }
class Hdf5Error : public std::runtime_error {
 public:
  Hdf5Error(const std::filesystem::path& file, std::string_view problem);
  const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
};

/// Writes one HDF5 file under "<final>.partial-<pid>" and renames it to its final name in
/// commit(), so a file under its final name is always whole. Object paths are relative to the
/// root ("epochs/quality/rmse_c"; a leading '/' is accepted); missing groups are created, and
/// every object is written once. Identical calls give byte-identical files: no times are stored.
/// Writers of different files may run on different threads (the thread-safe HDF5 build
/// serialises its calls); one writer is not shared between threads.
///   Hdf5Writer w("out/run.h5");
///   w.write_series("epochs/quality/rmse_c", v, "degC", "RMSE of accepted readings");
///   w.set_attribute("/", "seed", std::int64_t{42});  w.commit();
class Hdf5Writer {
 public:
  /// Creates the partial file; throws Hdf5Error when its directory is missing or not writable.
  explicit Hdf5Writer(std::filesystem::path final_path);
  /// Without commit(), closes and deletes the partial file. Never throws.
  ~Hdf5Writer();
  Hdf5Writer(Hdf5Writer&& other) noexcept;
  Hdf5Writer& operator=(Hdf5Writer&& other) noexcept;
  Hdf5Writer(const Hdf5Writer&) = delete;
  Hdf5Writer& operator=(const Hdf5Writer&) = delete;

  /// 1-D series with string attributes `units` and `description`; long ones are compressed.
  void write_series(std::string_view path, std::span<const double> values, std::string_view units,
                    std::string_view description);
  void write_series(std::string_view path, std::span<const std::int64_t> values,
                    std::string_view units, std::string_view description);
  /// 1-D variable-length UTF-8 strings with a `description` attribute.
  void write_strings(std::string_view path, std::span<const std::string> values,
                     std::string_view description);
  /// 2-D [rows, cols] from row-major values, chunked and compressed, with `units`, `description`.
  void write_matrix(std::string_view path, std::span<const double> row_major, std::size_t rows,
                    std::size_t cols, std::string_view units, std::string_view description);
  /// One scalar variable-length UTF-8 string (e.g. the resolved scenario YAML).
  void write_text(std::string_view path, std::string_view text, std::string_view description);

  /// Attaches an attribute to an existing object ("/" is the root). Each name is set once.
  void set_attribute(std::string_view object_path, std::string_view name, std::string_view value);
  void set_attribute(std::string_view object_path, std::string_view name, const char* value) {
    set_attribute(object_path, name, std::string_view(value));
  }
  void set_attribute(std::string_view object_path, std::string_view name, std::int64_t value);
  /// Stored unsigned so that 64-bit seeds keep every bit.
  void set_attribute(std::string_view object_path, std::string_view name, std::uint64_t value);
  void set_attribute(std::string_view object_path, std::string_view name, double value);
  /// Other integer types (int, unsigned, ...) are stored as 64-bit of the same signedness.
  template <std::integral I>
  requires(!std::same_as<I, bool> && !std::same_as<I, std::int64_t> &&
           !std::same_as<I, std::uint64_t>) void set_attribute(std::string_view object_path,
                                                               std::string_view name, I value) {
    if constexpr (std::is_signed_v<I>) {
      set_attribute(object_path, name, static_cast<std::int64_t>(value));
    } else {
      set_attribute(object_path, name, static_cast<std::uint64_t>(value));
    }
  }

  /// Flushes, closes and renames the file to its final path (replacing any file there). The
  /// writer is inert afterwards: further writes throw Hdf5Error.
  /// Makes `path` an external link to `object` in `target_file` (stored as given: a relative
  /// name is resolved from the directory of this file when read).
  void link_external(std::string_view path, const std::filesystem::path& target_file,
                     std::string_view object);
  void commit();

  const std::filesystem::path& final_path() const { return final_path_; }
  const std::filesystem::path& partial_path() const { return partial_path_; }

 private:
  enum class Element { f64, i64, utf8 };
  void write_dataset(std::string_view path, Element element, std::vector<std::uint64_t> dims,
                     const void* data, std::optional<std::string_view> units,
                     std::string_view description);
  template <class T>
  void set_attribute_of(std::string_view object_path, std::string_view name, const T& value);
  void abandon() noexcept;

  std::filesystem::path final_path_;
  std::filesystem::path partial_path_;
  std::unique_ptr<H5::H5File> file_;  // null once committed, abandoned or moved from
};

// Shared by the writer and the reader; not part of the public API.
namespace hdf5_detail {

/// Makes HDF5 record, not print, its error stack on this thread, and forgets the last error.
void begin_call();
/// Called inside a catch block: turns an H5::Exception into Hdf5Error "<file>: cannot <doing>
/// '<object>': <HDF5's detail>"; rethrows anything else unchanged.
[[noreturn]] void rethrow_as_hdf5_error(const std::filesystem::path& file, std::string_view doing,
                                        std::string_view object);
/// "/a//b/" style mistakes are errors; returns the path without a leading '/', "" for the root.
std::string normalize(const std::filesystem::path& file, std::string_view path, bool allow_root);

/// Lets a file access property list (an hid_t) open files where the filesystem has no locks.
void tolerate_missing_file_locks(std::int64_t access_list_id);

enum class Kind { missing, group, dataset, other };
/// What `path` (normalized) names inside the open file or group `location_id` (an hid_t).
Kind kind_of(std::int64_t location_id, const std::string& path);

template <class F>
decltype(auto) guarded(const std::filesystem::path& file, std::string_view doing,
                       std::string_view object, F&& body) {
  begin_call();
  try {
    return body();
  } catch (...) {
    rethrow_as_hdf5_error(file, doing, object);
  }
}

}  // namespace hdf5_detail
}  // namespace sim
