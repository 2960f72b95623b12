#pragma once
// The pending-event set: a ladder queue (Tang, Goh & Thng 2005) over pooled chunk storage.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "sim/event.hpp"

namespace sim {

/// Pending events, popped in (time, order) order, where `order` packs priority and sequence.
///
/// A ladder queue (W. T. Tang, R. S. M. Goh, I. L.-J. Thng, "Ladder queue: an O(1) priority
/// queue structure for large-scale discrete event simulation", ACM TOMACS 15(3), 2005): three
/// tiers whose time ranges are disjoint and ordered, earliest first.
/// - Bottom: a sorted run popped from the front, plus a binary heap (`late_`) for the events
///   pushed into bottom's range after the run was sorted (at the current time, say, or behind
///   a time peeked past a run_until horizon). A heap that outgrows the run is spread, with the
///   run, over a new rung, as the paper does with an overfull bottom.
/// - Rungs, at most kMaxRungs: rung r cuts its range into buckets of 2^shift ticks, each an
///   unsorted list. When bottom runs dry, the first non-empty bucket of the last rung is sorted
///   into bottom if it is small or all at one time, else split over a new, finer rung.
/// - Top: an unsorted list of every event after rung 0. Once the rungs are used up it is
///   spread over a new rung 0 (one bucket per two events between its min and max), or sorted
///   straight into bottom when it holds only a few events.
/// Every list is a chain of 8-event chunks from one pool with a LIFO free list: memory follows
/// the live events, an append writes one cache line, and nothing is allocated once the pool
/// has grown. Rungs have at most 4096 buckets, so their tails stay in cache.
///
/// Cost: an event is appended to a list once or twice and sorted in a run of a few events, so
/// push and pop are O(1) amortized on the usual time distributions. At worst (a burst at one
/// time, times from microseconds to years at once) an event moves down at most kMaxRungs rungs
/// and is then sorted or heaped: O(log n) amortized. Tuning: see event_queue.cpp.
///   EventQueue q; q.push(e); while (const Event* f = q.front()) { handle(*f); q.pop_front(); }
class EventQueue {
 public:
  /// Any time >= 0 is accepted, including one earlier than the last event popped or peeked.
  void push(const Event& e) {
    const auto t = static_cast<Tick>(e.time.ticks());  // a negative time wraps into top: refused
    if (t >= top_start_) {
      push_top(e);
    } else if (rung_count_ > 0 && t >= lower_[0]) {
      append(rungs_[0], e);
    } else {
      push_lower(e);
    }
    ++size_;
  }
  /// The first event, or nullptr when empty. Valid until the next push or pop.
  const Event* front() {
    if (late_.empty() && next_ < bottom_end_) return &bottom_[next_];
    return front_slow();
  }
  /// Removes the first event. Precondition: front() returned it, with no push since.
  void pop_front() {
    --size_;
    if (late_.empty()) {
      ++next_;
    } else {
      pop_late_or_bottom();
    }
  }
  /// Removes and returns the first event. Precondition: !empty().
  Event pop() {
    const Event e = *front();
    pop_front();
    return e;
  }
  /// Time of the first event. Precondition: !empty().
  Time next_time() { return front()->time; }
  /// True when the event (t, order) is pending. O(log n) for an event in bottom's range, which
  /// holds every event at the time of the last pop; else it scans the list that would hold it.
  bool contains(Time t, std::uint64_t order) const;
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  void clear() { *this = EventQueue{}; }

 private:
  /// Internal times are unsigned so that range ends may reach kEndOfTime, after every Time.
  using Tick = std::uint64_t;
  static constexpr Tick kEndOfTime = Tick{1} << 63;
  static constexpr std::uint32_t kChunkEvents = 8;
  static constexpr std::uint32_t kNoChunk = ~std::uint32_t{0};
  static constexpr int kSlabShift = 11;  // chunks are allocated 2^11 (512 KiB) at a time
  static constexpr int kMaxRungs = 8;

  struct Chunk {
    Event events[kChunkEvents];
  };
  /// An unsorted list: full chunks from head to tail, the tail holding the rest.
  struct List {
    std::uint32_t head = kNoChunk;
    std::uint32_t tail = kNoChunk;
    std::uint32_t size = 0;
  };
  /// Buckets of 2^shift ticks from `start`; the first `current` of them are used up, so the
  /// rung holds [lower_[r], start + (buckets.size() << shift)).
  struct Rung {
    Tick start = 0;
    int shift = 0;
    std::size_t current = 0;
    std::size_t events = 0;
    std::vector<List> buckets;
  };

  Chunk& chunk(std::uint32_t c) { return slabs_[c >> kSlabShift][c & ((1u << kSlabShift) - 1)]; }
  const Chunk& chunk(std::uint32_t c) const {
    return slabs_[c >> kSlabShift][c & ((1u << kSlabShift) - 1)];
  }
  void append(List& list, const Event& e) {
    const std::uint32_t slot = list.size % kChunkEvents;
    if (slot == 0) add_chunk(list);
    chunk(list.tail).events[slot] = e;
    ++list.size;
  }
  void append(Rung& rung, const Event& e) {
    const auto t = static_cast<Tick>(e.time.ticks());
    append(rung.buckets[static_cast<std::size_t>((t - rung.start) >> rung.shift)], e);
    ++rung.events;
  }
  void push_top(const Event& e) {
    const auto t = static_cast<Tick>(e.time.ticks());
    if (t >= kEndOfTime) refuse_negative();
    if (top_.size == 0 || t < top_min_) top_min_ = t;
    if (top_.size == 0 || t > top_max_) top_max_ = t;
    append(top_, e);
  }
  /// start + (count << shift), saturated at kEndOfTime.
  static Tick range_end(Tick start, std::size_t count, int shift);
  [[noreturn]] static void refuse_negative();
  void push_lower(const Event& e);
  void add_chunk(List& list);
  const Event* front_slow();
  void pop_late_or_bottom();
  void refill_bottom();
  void demote_bottom();
  void spread_top();
  /// Moves `bucket` onto a new rung and returns true; or, when all its events share one time,
  /// leaves them in `bucket` and returns false.
  bool spawn_rung(List& bucket, Tick bucket_start, int parent_shift);
  Rung& add_rung(Tick start, int shift, std::size_t count);
  /// Appends every event of `from` to `rung` and frees its chunks. Returns the events' common
  /// time, or kEndOfTime when they differ.
  Tick move_to_rung(const List& from, Rung& rung);
  void sort_into_bottom(const List& bucket);
  void prefetch_chunk(std::uint32_t c) const;
  void free_chunk(std::uint32_t c);
  bool list_contains(const List& list, Time t, std::uint64_t order) const;

  // Bottom: bottom_[next_, bottom_end_) sorted, and late_ a min-heap; together they hold every
  // event before lower_[rung_count_ - 1], or before top_start_ when there is no rung.
  std::vector<Event> bottom_;
  std::size_t next_ = 0;
  std::size_t bottom_end_ = 0;
  std::vector<Event> late_;

  std::array<Rung, kMaxRungs> rungs_;
  std::array<Tick, kMaxRungs> lower_{};  // lower_[r]: the first time rung r holds
  int rung_count_ = 0;

  List top_;  // every event at or after top_start_
  Tick top_start_ = 0;
  Tick top_min_ = 0;
  Tick top_max_ = 0;

  std::vector<std::unique_ptr<Chunk[]>> slabs_;
  std::vector<std::uint32_t> next_chunk_;  // the chunk after each chunk in its list
  std::uint32_t free_chunk_ = kNoChunk;    // head of the free list, linked by next_chunk_

  std::size_t size_ = 0;
};

}  // namespace sim
