#pragma once
// The pending-event set: a calendar queue (Brown 1988) with a heap for the bucket in hand.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/event.hpp"

namespace sim {

/// Pending events, popped in (time, priority, sequence) order.
///
/// Three tiers, as in the ladder queue (Tang, Goh & Thng, ACM TOMACS 15(3), 2005):
/// - `near_`: a binary heap holding every event earlier than `near_end_`;
/// - a calendar of buckets of 2^k ticks covering [near_end_, calendar_end_), each an unsorted
///   vector; when near_ runs dry the next bucket becomes the heap (one O(n) make_heap);
/// - `far_`: an unsorted vector of everything later, re-spread over a fresh calendar when the
///   calendar is used up, with a bucket width chosen for a few events per bucket.
/// An event is copied about twice in its life and heap operations touch a handful of events,
/// so push and pop cost O(1) on the usual event-time distributions and O(log n) at worst (when
/// many events share one bucket, the heap takes over). Any time >= 0 may be pushed, including
/// one earlier than the last pop: it lands in near_.
///   EventQueue q; q.push(e); while (!q.empty()) handle(q.pop());
class EventQueue {
 public:
  void push(const Event& e);
  /// Removes and returns the first event. Precondition: !empty().
  Event pop();
  /// Time of the first event. Precondition: !empty().
  Time next_time();
  /// True when the event (t, order) is pending in the tier of events being popped now: the
  /// kernel's test for whether an event at the current time has not yet run.
  bool pending_near(Time t, std::uint64_t order) const;
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  void clear();

 private:
  using Rep = Time::Rep;
  /// Average events per calendar bucket aimed for when the calendar is rebuilt.
  static constexpr double kEventsPerBucket = 3.0;
  static constexpr std::size_t kMaxBuckets = std::size_t{1} << 22;

  void fill_near();
  void rebuild_calendar();

  std::vector<Event> near_;  // binary heap: min (time, order) at the front
  Rep near_end_ = 0;         // every event before this time is in near_

  std::vector<std::vector<Event>> buckets_;
  std::size_t bucket_count_ = 0;  // buckets in use: buckets_[0, bucket_count_)
  std::size_t next_bucket_ = 0;   // the bucket that starts at near_end_
  int width_shift_ = 0;           // bucket width = 2^width_shift_ ticks
  Rep calendar_start_ = 0;
  Rep calendar_end_ = 0;

  std::vector<Event> far_;  // every event at or after calendar_end_
  Rep far_min_ = 0;
  Rep far_max_ = 0;

  std::size_t size_ = 0;
};

}  // namespace sim
