#include "cli/log.hpp"

#include <array>

namespace depinsim_cli {

namespace {
constexpr std::array<std::string_view, 4> kNames{"error", "warn", "info", "debug"};
}

std::optional<LogLevel> Log::parse(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<LogLevel>(i);
  }
  return std::nullopt;
}

void Log::write(LogLevel level, const std::string& message) {
  std::cerr << "depinsim: " << kNames[static_cast<std::size_t>(level)] << ": " << message << "\n";
}

}  // namespace depinsim_cli
