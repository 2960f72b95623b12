#pragma once
// The compact event record that the kernel queues and dispatches.

#include <cstdint>

#include "sim/time.hpp"

namespace sim {

/// What an event means; each kind has one registered handler. Kinds at or above
/// kFirstKernelKind are reserved for the kernel's own bookkeeping.
using EventKind = std::uint16_t;
inline constexpr EventKind kFirstKernelKind = 0xFF00;

/// Among events at the same time, a lower priority runs first; ties then run in scheduling order.
using Priority = std::uint8_t;
inline constexpr Priority kDefaultPriority = 128;

/// A scheduled event: 32 bytes, trivially copyable, no heap. Models pass what they need in
/// `target` (usually an entity index) and `payload` (an index into their own tables, a value).
struct Event {
  Time time;
  /// priority in the top 8 bits, scheduling sequence in the low 56: one integer orders ties.
  std::uint64_t order = 0;
  std::uint64_t payload = 0;
  std::uint32_t target = 0;
  EventKind kind = 0;
  std::uint16_t reserved = 0;

  static constexpr int kSequenceBits = 56;
  static constexpr std::uint64_t kSequenceMask = (std::uint64_t{1} << kSequenceBits) - 1;

  static constexpr std::uint64_t make_order(Priority priority, std::uint64_t sequence) {
    return (std::uint64_t{priority} << kSequenceBits) | (sequence & kSequenceMask);
  }
  constexpr Priority priority() const { return static_cast<Priority>(order >> kSequenceBits); }
  constexpr std::uint64_t sequence() const { return order & kSequenceMask; }
};
static_assert(sizeof(Event) == 32, "Event records are meant to stay 32 bytes");

/// Identifies one scheduled event, for cancel(): its time and its unique order word.
struct EventId {
  Time time;
  std::uint64_t order = 0;
  constexpr bool operator==(const EventId&) const = default;
};

/// True when `a` runs before `b`: by time, then priority, then scheduling order.
constexpr bool runs_before(const Event& a, const Event& b) {
  return a.time != b.time ? a.time < b.time : a.order < b.order;
}

}  // namespace sim
