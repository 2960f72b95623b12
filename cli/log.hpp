#pragma once
// Leveled messages for people, on stderr, never mixed into the data on stdout.

#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace depinsim_cli {

enum class LogLevel { error = 0, warn = 1, info = 2, debug = 3 };

/// The level set by --log-level; messages above it are dropped.
///   log(LogLevel::info, "loaded " + path);
class Log {
 public:
  static void set_level(LogLevel level) { level_ = level; }
  static bool enabled(LogLevel level) { return level <= level_; }
  static std::optional<LogLevel> parse(std::string_view name);

  static void write(LogLevel level, const std::string& message);

 private:
  static inline LogLevel level_ = LogLevel::warn;
};

inline void log(LogLevel level, const std::string& message) {
  if (Log::enabled(level)) Log::write(level, message);
}

}  // namespace depinsim_cli
