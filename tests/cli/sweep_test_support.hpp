#pragma once
// What the sweep tests share: a temporary directory per test and sweep files written into it.

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace sweep_test {

namespace fs = std::filesystem;

inline const std::string kBase = DEPINSIM_SOURCE_DIR "/scenarios/basic_sensors.yaml";

/// A fresh directory per test, removed afterwards.
struct TempDir {
  fs::path path;
  TempDir() {
    static int n = 0;
    path = fs::temp_directory_path() /
           ("depinsim-sweep-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

inline fs::path write_file(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
  return path;
}

/// A sweep file in `dir` whose base is the default scenario.
inline fs::path sweep_file(const TempDir& dir, const std::string& body,
                           const std::string& name = "s.yaml") {
  return write_file(dir.path / name, "base: " + kBase + "\n" + body);
}

}  // namespace sweep_test
