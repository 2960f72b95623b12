#pragma once
// What a sensor's operator does with the readings: behaviours are data, not classes.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace models {

/// How a sensor produces readings. Stored as one byte per node (structure of arrays).
enum class Behaviour : std::uint8_t {
  honest,      ///< truth plus the hardware's noise
  noisy,       ///< truth plus much larger noise (cheap or broken hardware)
  fabricator,  ///< plausible invented values: the climatology plus noise, no measurement
  stuck,       ///< repeats its first reading forever
};

inline constexpr std::array<std::string_view, 4> kBehaviourNames{"honest", "noisy", "fabricator",
                                                                 "stuck"};
inline constexpr std::size_t kBehaviourCount = kBehaviourNames.size();

constexpr std::string_view name_of(Behaviour b) {
  return kBehaviourNames[static_cast<std::size_t>(b)];
}

constexpr std::optional<Behaviour> behaviour_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kBehaviourCount; ++i) {
    if (kBehaviourNames[i] == name) return static_cast<Behaviour>(i);
  }
  return std::nullopt;
}

}  // namespace models
