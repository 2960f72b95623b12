#include "sim/hdf5_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <numeric>
#include <system_error>
#include <type_traits>
#include <utility>

#include <H5Cpp.h>

namespace sim {

namespace fs = std::filesystem;

Hdf5Error::Hdf5Error(const fs::path& file, std::string_view problem)
    : std::runtime_error(file.string() + ": " + std::string(problem)), file_(file) {}

namespace hdf5_detail {
namespace {

static_assert(std::is_same_v<hid_t, std::int64_t>, "kind_of() takes an hid_t as std::int64_t");

// HDF5 calls its "automatic" error handler when a call fails, while the error stack is whole.
// By the time a catch block runs, destructors of H5 objects may have cleared that stack, so the
// handler keeps the messages instead of printing them.
thread_local std::string last_error;
thread_local bool handler_installed = false;

herr_t collect_message(unsigned, const H5E_error2_t* error, void* client) {
  auto& messages = *static_cast<std::vector<std::string>*>(client);
  if (error->desc != nullptr && *error->desc != '\0') messages.emplace_back(error->desc);
  return 0;
}

// Keeps the outermost message (what failed) and the innermost one (why).
herr_t record_error(hid_t stack, void*) {
  std::vector<std::string> messages;  // innermost first
  H5Ewalk2(stack, H5E_WALK_UPWARD, collect_message, &messages);
  last_error.clear();
  if (!messages.empty()) {
    last_error = messages.back();
    if (messages.size() > 1) last_error += ": " + messages.front();
  }
  return 0;
}

std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

}  // namespace

void begin_call() {
  if (!handler_installed) {
    H5E_auto2_t handler = record_error;
    H5::Exception::setAutoPrint(handler, nullptr);
    handler_installed = true;
  }
  last_error.clear();
}

void rethrow_as_hdf5_error(const fs::path& file, std::string_view doing, std::string_view object) {
  try {
    throw;
  } catch (const H5::Exception& e) {
    std::string problem = "cannot " + std::string(doing);
    if (!object.empty()) problem += " '" + std::string(object) + "'";
    problem += ": " + e.getDetailMsg();
    if (!last_error.empty()) problem += ": " + last_error;
    throw Hdf5Error(file, one_line(std::move(problem)));
  }
}

std::string normalize(const fs::path& file, std::string_view path, bool allow_root) {
  std::string_view rest = path;
  if (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  if (rest.empty() && allow_root) return "";
  bool valid = !rest.empty();
  for (std::size_t begin = 0; valid && begin <= rest.size();) {
    const std::size_t end = std::min(rest.find('/', begin), rest.size());
    const std::string_view part = rest.substr(begin, end - begin);
    valid = !part.empty() && part != "." && part != "..";
    begin = end + 1;
  }
  if (!valid) {
    throw Hdf5Error(file, "invalid object path '" + std::string(path) +
                              "' (expected names separated by single '/', like \"a/b/c\")");
  }
  return std::string(rest);
}

Kind kind_of(std::int64_t location_id, const std::string& path) {
  if (path.empty()) return Kind::group;
  // H5Lexists needs every intermediate group to exist, so walk the path one component at a time.
  for (std::size_t end = path.find('/');; end = path.find('/', end + 1)) {
    const std::string prefix = path.substr(0, end);
    const htri_t exists = H5Lexists(location_id, prefix.c_str(), H5P_DEFAULT);
    if (exists < 0) throw H5::LocationException("H5Lexists", "failed");
    if (exists == 0) return Kind::missing;
    const hid_t object = H5Oopen(location_id, prefix.c_str(), H5P_DEFAULT);
    if (object < 0) throw H5::LocationException("H5Oopen", "failed");
    const H5I_type_t type = H5Iget_type(object);
    H5Oclose(object);
    if (end == std::string::npos) {
      return type == H5I_GROUP ? Kind::group : type == H5I_DATASET ? Kind::dataset : Kind::other;
    }
    if (type != H5I_GROUP) return Kind::missing;
  }
}

void tolerate_missing_file_locks(std::int64_t access_list_id) {
#if H5_VERSION_GE(1, 10, 7)
  // Lustre and NFS mounts on clusters often disable locks; partial names already keep writers
  // apart and finished files are only read, so a missing lock is no reason to fail.
  if (H5Pset_file_locking(access_list_id, true, true) < 0) {
    throw H5::PropListIException("H5Pset_file_locking", "failed");
  }
#else
  (void)access_list_id;
#endif
}

}  // namespace hdf5_detail

namespace {

using hdf5_detail::guarded;
using hdf5_detail::Kind;
using hdf5_detail::kind_of;

constexpr std::size_t kContiguousMaxElements = 4096;  // longer series are chunked and compressed
constexpr std::size_t kChunkElements = 16384;         // 128 KiB of doubles: well inside the cache
constexpr std::size_t kMatrixChunkCols = 4096;
constexpr int kDeflateLevel = 4;

void check(herr_t status, const char* function) {
  if (status < 0) throw H5::PropListIException(function, "failed");
}

H5::StrType utf8_type() {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  return type;
}

void write_string_attribute(const H5::H5Object& object, const std::string& name,
                            std::string_view value) {
  const H5::StrType type = utf8_type();
  const H5::Attribute attribute = object.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
  const std::string text(value);
  const char* pointer = text.c_str();
  attribute.write(type, &pointer);
}

// Layout of a new dataset: small ones contiguous, long or 2-D numeric ones chunked + compressed.
H5::DSetCreatPropList creation_properties(const std::vector<hsize_t>& dims, bool numeric) {
  H5::DSetCreatPropList properties;
  check(H5Pset_obj_track_times(properties.getId(), false), "H5Pset_obj_track_times");
  const hsize_t count =
      std::accumulate(dims.begin(), dims.end(), hsize_t{1}, std::multiplies<hsize_t>());
  const bool chunk = numeric && count > 0 &&
                     ((dims.size() == 1 && count > kContiguousMaxElements) || dims.size() == 2);
  if (chunk) {
    std::vector<hsize_t> chunk_dims;
    if (dims.size() == 1) {
      chunk_dims = {std::min<hsize_t>(dims[0], kChunkElements)};
    } else {
      const hsize_t cols = std::min<hsize_t>(dims[1], kMatrixChunkCols);
      const hsize_t rows = std::min<hsize_t>(dims[0], std::max<hsize_t>(1, kChunkElements / cols));
      chunk_dims = {rows, cols};
    }
    properties.setChunk(static_cast<int>(chunk_dims.size()), chunk_dims.data());
    properties.setShuffle();
    properties.setDeflate(kDeflateLevel);
  }
  return properties;
}

// Creates each missing group above `path`; throws when one of them is not a group.
void create_parents(const H5::H5File& file, const fs::path& name, const std::string& path) {
  for (std::size_t end = path.find('/'); end != std::string::npos; end = path.find('/', end + 1)) {
    const std::string prefix = path.substr(0, end);
    const Kind kind = kind_of(file.getId(), prefix);
    if (kind == Kind::group) continue;
    if (kind != Kind::missing) {
      throw Hdf5Error(name, "cannot write '" + path + "': '" + prefix + "' is not a group");
    }
    const H5::PropList group_properties(H5P_GROUP_CREATE);  // a class id: creates a list
    check(H5Pset_obj_track_times(group_properties.getId(), false), "H5Pset_obj_track_times");
    const hid_t group = H5Gcreate2(file.getId(), prefix.c_str(), H5P_DEFAULT,
                                   group_properties.getId(), H5P_DEFAULT);
    if (group < 0) throw H5::GroupIException("H5Gcreate2", "failed");
    H5Gclose(group);
  }
}

// `doing` names the refused action in the error, e.g. "write 'epochs/x'" or "commit".
H5::H5File& open_file(const std::unique_ptr<H5::H5File>& file, const fs::path& name,
                      const std::string& doing) {
  if (!file) {
    throw Hdf5Error(name, "cannot " + doing + ": the writer was already committed or moved from");
  }
  return *file;
}

}  // namespace

Hdf5Writer::Hdf5Writer(fs::path final_path) : final_path_(std::move(final_path)) {
  partial_path_ = final_path_;
  partial_path_ += ".partial-" + std::to_string(::getpid());
  if (!final_path_.has_filename()) throw Hdf5Error(final_path_, "cannot create: not a file name");
  const fs::path directory =
      final_path_.parent_path().empty() ? fs::path(".") : final_path_.parent_path();
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    throw Hdf5Error(partial_path_, "cannot create: directory '" + directory.string() +
                                       (fs::exists(directory, error) ? "' is not a directory"
                                                                     : "' does not exist"));
  }
  file_ = guarded(partial_path_, "create file", "", [&] {
    H5::FileCreatPropList creation;
    check(H5Pset_obj_track_times(creation.getId(), false), "H5Pset_obj_track_times");
    H5::FileAccPropList access;
    access.setFcloseDegree(H5F_CLOSE_STRONG);
    hdf5_detail::tolerate_missing_file_locks(access.getId());
    return std::make_unique<H5::H5File>(partial_path_.string(), H5F_ACC_TRUNC, creation, access);
  });
}

Hdf5Writer::~Hdf5Writer() {
  abandon();
}

Hdf5Writer::Hdf5Writer(Hdf5Writer&& other) noexcept
    : final_path_(std::move(other.final_path_)),
      partial_path_(std::move(other.partial_path_)),
      file_(std::move(other.file_)) {}

Hdf5Writer& Hdf5Writer::operator=(Hdf5Writer&& other) noexcept {
  if (this != &other) {
    abandon();
    final_path_ = std::move(other.final_path_);
    partial_path_ = std::move(other.partial_path_);
    file_ = std::move(other.file_);
  }
  return *this;
}

void Hdf5Writer::abandon() noexcept {
  if (!file_) return;
  try {
    hdf5_detail::begin_call();
    file_->close();
  } catch (...) {
    // The partial file is deleted below whatever state it was left in.
  }
  file_.reset();
  std::error_code ignored;
  fs::remove(partial_path_, ignored);
}

void Hdf5Writer::write_series(std::string_view path, std::span<const double> values,
                              std::string_view units, std::string_view description) {
  write_dataset(path, Element::f64, {values.size()}, values.data(), units, description);
}

void Hdf5Writer::write_series(std::string_view path, std::span<const std::int64_t> values,
                              std::string_view units, std::string_view description) {
  write_dataset(path, Element::i64, {values.size()}, values.data(), units, description);
}

void Hdf5Writer::write_strings(std::string_view path, std::span<const std::string> values,
                               std::string_view description) {
  std::vector<const char*> pointers;
  pointers.reserve(values.size());
  for (const std::string& value : values)
    pointers.push_back(value.c_str());
  write_dataset(path, Element::utf8, {values.size()}, pointers.data(), std::nullopt, description);
}

void Hdf5Writer::write_matrix(std::string_view path, std::span<const double> row_major,
                              std::size_t rows, std::size_t cols, std::string_view units,
                              std::string_view description) {
  if (row_major.size() != rows * cols) {
    throw Hdf5Error(final_path_, "cannot write '" + std::string(path) +
                                     "': " + std::to_string(row_major.size()) + " values for a " +
                                     std::to_string(rows) + "x" + std::to_string(cols) + " matrix");
  }
  write_dataset(path, Element::f64, {rows, cols}, row_major.data(), units, description);
}

void Hdf5Writer::write_text(std::string_view path, std::string_view text,
                            std::string_view description) {
  const std::string copy(text);  // HDF5 wants a NUL-terminated string
  const char* pointer = copy.c_str();
  write_dataset(path, Element::utf8, {}, &pointer, std::nullopt, description);
}

void Hdf5Writer::link_external(std::string_view path, const fs::path& target_file,
                               std::string_view object) {
  const std::string where = hdf5_detail::normalize(final_path_, path, false);
  H5::H5File& file = open_file(file_, final_path_, "link '" + where + "'");
  guarded(final_path_, "create external link", where, [&] {
    create_parents(file, final_path_, where);
    if (kind_of(file.getId(), where) != Kind::missing) {
      throw Hdf5Error(final_path_, "cannot link '" + where + "': it was already written");
    }
    const std::string target(object);
    check(H5Lcreate_external(target_file.c_str(), target.c_str(), file.getId(), where.c_str(),
                             H5P_DEFAULT, H5P_DEFAULT),
          "H5Lcreate_external");
  });
}

void Hdf5Writer::write_dataset(std::string_view path, Element element,
                               std::vector<std::uint64_t> dims, const void* data,
                               std::optional<std::string_view> units,
                               std::string_view description) {
  const std::string where = hdf5_detail::normalize(final_path_, path, false);
  H5::H5File& file = open_file(file_, final_path_, "write '" + where + "'");
  guarded(final_path_, "write dataset", where, [&] {
    create_parents(file, final_path_, where);
    if (kind_of(file.getId(), where) != Kind::missing) {
      throw Hdf5Error(final_path_, "cannot write '" + where + "': it was already written");
    }
    const std::vector<hsize_t> extent(dims.begin(), dims.end());
    const H5::DataSpace space = extent.empty()
                                    ? H5::DataSpace(H5S_SCALAR)
                                    : H5::DataSpace(static_cast<int>(extent.size()), extent.data());
    const H5::StrType utf8 = utf8_type();
    const H5::DataType& file_type = element == Element::f64   ? H5::PredType::IEEE_F64LE
                                    : element == Element::i64 ? H5::PredType::STD_I64LE
                                                              : utf8;
    const H5::DataType& memory_type = element == Element::f64   ? H5::PredType::NATIVE_DOUBLE
                                      : element == Element::i64 ? H5::PredType::NATIVE_INT64
                                                                : utf8;
    const H5::DataSet dataset = file.createDataSet(
        where, file_type, space, creation_properties(extent, element != Element::utf8));
    if (space.getSimpleExtentNpoints() > 0) dataset.write(data, memory_type);
    if (units) write_string_attribute(dataset, "units", *units);
    write_string_attribute(dataset, "description", description);
  });
}

template <class T>
void Hdf5Writer::set_attribute_of(std::string_view object_path, std::string_view name,
                                  const T& value) {
  const std::string where = hdf5_detail::normalize(final_path_, object_path, true);
  const std::string shown = where.empty() ? "/" : where;
  const std::string attribute(name);
  H5::H5File& file = open_file(file_, final_path_, "set an attribute on '" + shown + "'");
  guarded(final_path_, "set attribute '" + attribute + "' on", shown, [&] {
    const Kind kind = kind_of(file.getId(), where);
    if (kind != Kind::group && kind != Kind::dataset) {
      throw Hdf5Error(final_path_, "cannot set attribute '" + attribute +
                                       "': no group or dataset '" + shown + "'");
    }
    const auto set = [&](const H5::H5Object& object) {
      if (object.attrExists(attribute)) {
        throw Hdf5Error(final_path_,
                        "attribute '" + attribute + "' on '" + shown + "' is set twice");
      }
      if constexpr (std::is_same_v<T, std::string_view>) {
        write_string_attribute(object, attribute, value);
      } else {
        const H5::DataSpace scalar(H5S_SCALAR);
        const auto write = [&](const H5::PredType& in_file, const H5::PredType& in_memory) {
          object.createAttribute(attribute, in_file, scalar).write(in_memory, &value);
        };
        if constexpr (std::is_same_v<T, double>) {
          write(H5::PredType::IEEE_F64LE, H5::PredType::NATIVE_DOUBLE);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          write(H5::PredType::STD_I64LE, H5::PredType::NATIVE_INT64);
        } else {
          static_assert(std::is_same_v<T, std::uint64_t>);
          write(H5::PredType::STD_U64LE, H5::PredType::NATIVE_UINT64);
        }
      }
    };
    if (kind == Kind::group) {
      set(file.openGroup(where.empty() ? "/" : where));
    } else {
      set(file.openDataSet(where));
    }
  });
}

void Hdf5Writer::set_attribute(std::string_view object_path, std::string_view name,
                               std::string_view value) {
  set_attribute_of(object_path, name, value);
}
void Hdf5Writer::set_attribute(std::string_view object_path, std::string_view name,
                               std::int64_t value) {
  set_attribute_of(object_path, name, value);
}
void Hdf5Writer::set_attribute(std::string_view object_path, std::string_view name,
                               std::uint64_t value) {
  set_attribute_of(object_path, name, value);
}
void Hdf5Writer::set_attribute(std::string_view object_path, std::string_view name, double value) {
  set_attribute_of(object_path, name, value);
}

void Hdf5Writer::commit() {
  H5::H5File& file = open_file(file_, final_path_, "commit");
  guarded(final_path_, "close", partial_path_.string(), [&] { file.close(); });
  file_.reset();
  // Without fsync a crash could leave the final name pointing at data not yet on disk.
  if (const int fd = ::open(partial_path_.c_str(), O_RDONLY); fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  std::error_code error;
  fs::rename(partial_path_, final_path_, error);
  if (error) {
    throw Hdf5Error(final_path_, "cannot rename '" + partial_path_.string() + "' to it: " +
                                     error.message() + " (the complete file stays there)");
  }
}

}  // namespace sim
