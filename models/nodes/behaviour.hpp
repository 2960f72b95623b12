#pragma once
// What a sensor's operator does with the node: behaviours are data, not classes.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace models {

/// How a sensor produces readings and takes part in coverage proofs. One byte per node
/// (structure of arrays); the parameters live in the node's group (BehaviourParams).
enum class Behaviour : std::uint8_t {
  honest,        ///< truth plus the hardware's noise and drift, where it claims to be
  noisy,         ///< truth plus much larger noise (cheap or broken hardware)
  drifting,      ///< truth plus a calibration bias that grows every day
  stuck,         ///< repeats its first reading forever
  intermittent,  ///< honest, but offline for whole periods (power, backhaul)
  indoor,        ///< badly sited: reads a room damped towards its own temperature, weak radio
  fabricator,    ///< plausible invented values: the climatology plus noise, no measurement
  spoofer,       ///< honest readings, but claims a location it is not at
  colluder,      ///< a ring of virtual nodes: invented data, beacons only its members witness
  sybil,         ///< one physical station at one place, many virtual nodes claiming nearby spots
};

inline constexpr std::array<std::string_view, 10> kBehaviourNames{
    "honest", "noisy",      "drifting", "stuck",    "intermittent",
    "indoor", "fabricator", "spoofer",  "colluder", "sybil"};
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

/// Behaviours that cheat on purpose, as opposed to faulty hardware or siting: what they are
/// paid is fraud leakage.
constexpr bool is_dishonest(Behaviour b) {
  return b == Behaviour::fabricator || b == Behaviour::spoofer || b == Behaviour::colluder ||
         b == Behaviour::sybil;
}

}  // namespace models
