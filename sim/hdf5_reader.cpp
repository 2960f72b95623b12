#include "sim/hdf5_reader.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <type_traits>

#include <H5Cpp.h>

namespace sim {

namespace fs = std::filesystem;

namespace {

using hdf5_detail::guarded;
using hdf5_detail::Kind;
using hdf5_detail::kind_of;

std::string class_name(H5T_class_t type_class) {
  switch (type_class) {
    case H5T_INTEGER:
      return "integers";
    case H5T_FLOAT:
      return "floating-point numbers";
    case H5T_STRING:
      return "strings";
    case H5T_COMPOUND:
      return "compound records";
    case H5T_ENUM:
      return "enumerated values";
    default:
      return "values of HDF5 type class " + std::to_string(static_cast<int>(type_class));
  }
}

void require_class(const fs::path& file, const std::string& what, H5T_class_t actual,
                   H5T_class_t wanted) {
  if (actual != wanted) {
    throw Hdf5Error(file, what + " holds " + class_name(actual) + ", not " + class_name(wanted));
  }
}

std::string shown(const std::string& where) {
  return where.empty() ? "/" : where;
}
std::string quoted(const std::string& where) {
  std::string text(1, '\'');
  text.append(shown(where)).push_back('\'');
  return text;
}

H5::DataSet open_dataset(const H5::H5File& file, const fs::path& name, const std::string& where) {
  switch (kind_of(file.getId(), where)) {
    case Kind::dataset:
      return file.openDataSet(where);
    case Kind::missing:
      throw Hdf5Error(name, "no dataset " + quoted(where));
    default:
      throw Hdf5Error(name, quoted(where) + " is not a dataset");
  }
}

// Calls `use` with the group or dataset at `where`.
template <class F>
decltype(auto) with_object(const H5::H5File& file, const fs::path& name, const std::string& where,
                           F&& use) {
  switch (kind_of(file.getId(), where)) {
    case Kind::group:
      return use(file.openGroup(where.empty() ? "/" : where));
    case Kind::dataset:
      return use(file.openDataSet(where));
    case Kind::missing:
      throw Hdf5Error(name, "no group or dataset " + quoted(where));
    default:
      throw Hdf5Error(name, quoted(where) + " is neither a group nor a dataset");
  }
}

std::size_t element_count(const H5::DataSpace& space) {
  return static_cast<std::size_t>(space.getSimpleExtentNpoints());
}

// Reads `count` strings stored as `stored` (variable or fixed length) through `read`, which
// fills a buffer in the given memory type (DataSet::read and Attribute::read differ in order).
std::vector<std::string> read_string_values(
    const H5::StrType& stored, std::size_t count,
    const std::function<void(const H5::DataType&, void*)>& read) {
  std::vector<std::string> values;
  values.reserve(count);
  if (count == 0) return values;
  if (stored.isVariableStr()) {
    H5::StrType memory(H5::PredType::C_S1, H5T_VARIABLE);
    memory.setCset(stored.getCset());
    std::vector<char*> buffer(count, nullptr);
    read(memory, buffer.data());
    for (char* text : buffer) {
      values.emplace_back(text != nullptr ? text : "");
      H5free_memory(text);
    }
    return values;
  }
  const std::size_t size = stored.getSize();
  std::vector<char> buffer(count * size);
  read(stored, buffer.data());
  for (std::size_t i = 0; i < count; ++i) {
    const char* text = buffer.data() + i * size;
    std::string value(text, strnlen(text, size));
    if (stored.getStrpad() == H5T_STR_SPACEPAD) value.erase(value.find_last_not_of(' ') + 1);
    values.push_back(std::move(value));
  }
  return values;
}

herr_t collect_dataset(hid_t group, const char* name, const H5L_info_t* info, void* client) {
  if (info->type != H5L_TYPE_HARD) return 0;  // soft and external links name no object here
  const hid_t object = H5Oopen(group, name, H5P_DEFAULT);
  if (object < 0) return -1;
  const bool is_dataset = H5Iget_type(object) == H5I_DATASET;
  H5Oclose(object);
  if (is_dataset) static_cast<std::vector<std::string>*>(client)->emplace_back(name);
  return 0;
}

}  // namespace

Hdf5Reader::Hdf5Reader(const fs::path& path) : path_(path) {
  std::error_code error;
  if (!fs::exists(path_, error)) throw Hdf5Error(path_, "cannot open: no such file");
  if (!fs::is_regular_file(path_, error)) throw Hdf5Error(path_, "cannot open: not a file");
  file_ = guarded(path_, "open file", "", [&] {
    if (!H5::H5File::isHdf5(path_.string())) {
      throw Hdf5Error(path_, "cannot open: not an HDF5 file (no HDF5 signature)");
    }
    H5::FileAccPropList access;
    hdf5_detail::tolerate_missing_file_locks(access.getId());
    return std::make_unique<H5::H5File>(path_.string(), H5F_ACC_RDONLY,
                                        H5::FileCreatPropList::DEFAULT, access);
  });
}

Hdf5Reader::~Hdf5Reader() {
  if (!file_) return;
  try {
    hdf5_detail::begin_call();
    file_->close();
  } catch (...) {
    // A read-only file has nothing to lose on close.
  }
}

Hdf5Reader::Hdf5Reader(Hdf5Reader&& other) noexcept = default;
Hdf5Reader& Hdf5Reader::operator=(Hdf5Reader&& other) noexcept = default;

std::vector<std::string> Hdf5Reader::datasets() const {
  return guarded(path_, "list datasets in", "/", [&] {
    std::vector<std::string> paths;
    if (H5Lvisit(file_->getId(), H5_INDEX_NAME, H5_ITER_INC, collect_dataset, &paths) < 0) {
      throw H5::FileIException("H5Lvisit", "failed");
    }
    std::sort(paths.begin(), paths.end());
    return paths;
  });
}

bool Hdf5Reader::has_dataset(std::string_view path) const {
  const std::string where = hdf5_detail::normalize(path_, path, false);
  return guarded(path_, "look up", where,
                 [&] { return kind_of(file_->getId(), where) == Kind::dataset; });
}

std::vector<std::size_t> Hdf5Reader::shape(std::string_view path) const {
  const std::string where = hdf5_detail::normalize(path_, path, false);
  return guarded(path_, "read the shape of", where, [&] {
    const H5::DataSpace space = open_dataset(*file_, path_, where).getSpace();
    std::vector<hsize_t> dims(static_cast<std::size_t>(space.getSimpleExtentNdims()));
    if (!dims.empty()) space.getSimpleExtentDims(dims.data());
    return std::vector<std::size_t>(dims.begin(), dims.end());
  });
}

std::vector<double> Hdf5Reader::read_doubles(std::string_view path) const {
  const std::string where = hdf5_detail::normalize(path_, path, false);
  return guarded(path_, "read", where, [&] {
    const H5::DataSet dataset = open_dataset(*file_, path_, where);
    require_class(path_, quoted(where), dataset.getTypeClass(), H5T_FLOAT);
    std::vector<double> values(element_count(dataset.getSpace()));
    if (!values.empty()) dataset.read(values.data(), H5::PredType::NATIVE_DOUBLE);
    return values;
  });
}

std::vector<std::int64_t> Hdf5Reader::read_int64(std::string_view path) const {
  const std::string where = hdf5_detail::normalize(path_, path, false);
  return guarded(path_, "read", where, [&] {
    const H5::DataSet dataset = open_dataset(*file_, path_, where);
    require_class(path_, quoted(where), dataset.getTypeClass(), H5T_INTEGER);
    const H5::IntType stored = dataset.getIntType();
    if (stored.getSign() == H5T_SGN_NONE && stored.getSize() >= sizeof(std::int64_t)) {
      throw Hdf5Error(path_, quoted(where) + " holds unsigned 64-bit integers, not int64");
    }
    std::vector<std::int64_t> values(element_count(dataset.getSpace()));
    if (!values.empty()) dataset.read(values.data(), H5::PredType::NATIVE_INT64);
    return values;
  });
}

std::vector<std::string> Hdf5Reader::read_strings(std::string_view path) const {
  const std::string where = hdf5_detail::normalize(path_, path, false);
  return guarded(path_, "read", where, [&] {
    const H5::DataSet dataset = open_dataset(*file_, path_, where);
    require_class(path_, quoted(where), dataset.getTypeClass(), H5T_STRING);
    return read_string_values(
        dataset.getStrType(), element_count(dataset.getSpace()),
        [&](const H5::DataType& memory, void* buffer) { dataset.read(buffer, memory); });
  });
}

std::string Hdf5Reader::read_text(std::string_view path) const {
  const std::string where = hdf5_detail::normalize(path_, path, false);
  return guarded(path_, "read", where, [&] {
    const H5::DataSet dataset = open_dataset(*file_, path_, where);
    require_class(path_, quoted(where), dataset.getTypeClass(), H5T_STRING);
    if (dataset.getSpace().getSimpleExtentType() != H5S_SCALAR) {
      throw Hdf5Error(path_, quoted(where) + " holds an array of strings, not one text");
    }
    return read_string_values(
               dataset.getStrType(), 1,
               [&](const H5::DataType& memory, void* buffer) { dataset.read(buffer, memory); })
        .front();
  });
}

bool Hdf5Reader::has_attribute(std::string_view object_path, std::string_view name) const {
  const std::string where = hdf5_detail::normalize(path_, object_path, true);
  const std::string attribute(name);
  return guarded(path_, "look up attribute '" + attribute + "' of", shown(where), [&] {
    return with_object(*file_, path_, where,
                       [&](const H5::H5Object& object) { return object.attrExists(attribute); });
  });
}

template <class T>
T Hdf5Reader::read_attribute(std::string_view object_path, std::string_view name) const {
  const std::string where = hdf5_detail::normalize(path_, object_path, true);
  const std::string attribute(name);
  const std::string what = "attribute '" + attribute + "' of " + quoted(where);
  return guarded(path_, "read " + what, "", [&] {
    const H5::Attribute stored = with_object(*file_, path_, where, [&](const H5::H5Object& object) {
      if (!object.attrExists(attribute)) throw Hdf5Error(path_, "no " + what);
      return object.openAttribute(attribute);
    });
    const std::size_t count = element_count(stored.getSpace());
    if (count != 1) {
      throw Hdf5Error(path_, what + " holds " + std::to_string(count) + " values, not one");
    }
    if constexpr (std::is_same_v<T, std::string>) {
      require_class(path_, what, stored.getTypeClass(), H5T_STRING);
      return read_string_values(
                 stored.getStrType(), 1,
                 [&](const H5::DataType& memory, void* buffer) { stored.read(memory, buffer); })
          .front();
    } else if constexpr (std::is_same_v<T, double>) {
      require_class(path_, what, stored.getTypeClass(), H5T_FLOAT);
      double value = 0;
      stored.read(H5::PredType::NATIVE_DOUBLE, &value);
      return value;
    } else {
      require_class(path_, what, stored.getTypeClass(), H5T_INTEGER);
      const auto refuse = [&] { throw Hdf5Error(path_, what + " does not fit in the type asked"); };
      if (stored.getIntType().getSign() == H5T_SGN_NONE) {
        std::uint64_t value = 0;
        stored.read(H5::PredType::NATIVE_UINT64, &value);
        if (value > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) refuse();
        return static_cast<T>(value);
      }
      std::int64_t value = 0;
      stored.read(H5::PredType::NATIVE_INT64, &value);
      if (std::is_unsigned_v<T> && value < 0) refuse();
      return static_cast<T>(value);
    }
  });
}

std::string Hdf5Reader::string_attribute(std::string_view object_path,
                                         std::string_view name) const {
  return read_attribute<std::string>(object_path, name);
}
std::int64_t Hdf5Reader::int_attribute(std::string_view object_path, std::string_view name) const {
  return read_attribute<std::int64_t>(object_path, name);
}
std::uint64_t Hdf5Reader::uint_attribute(std::string_view object_path,
                                         std::string_view name) const {
  return read_attribute<std::uint64_t>(object_path, name);
}
double Hdf5Reader::double_attribute(std::string_view object_path, std::string_view name) const {
  return read_attribute<double>(object_path, name);
}

}  // namespace sim
