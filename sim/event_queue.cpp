#include "sim/event_queue.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace sim {

namespace {

// Tuning, measured with bench/phold (see bench/README.md).
/// Rung 0 gets one bucket per this many events of the top it is spread from.
constexpr std::size_t kTopEventsPerBucket = 2;
/// A bucket with more events than this is split over a finer rung rather than sorted.
constexpr std::uint32_t kSpawnThreshold = 32;
/// A spawned rung gets one bucket per this many events of the bucket it splits.
constexpr std::uint32_t kSpawnEventsPerBucket = 4;
/// At most this many buckets per rung, so that every bucket's tail stays in cache.
constexpr std::size_t kMaxBuckets = std::size_t{1} << 12;
/// The late heap may hold this many events, or as many as the sorted run, before both are
/// spread over a new rung.
constexpr std::size_t kLateMax = 64;
/// How many chunks ahead a list being moved is fetched.
constexpr std::uint32_t kPrefetchChunks = 4;
/// Runs up to this length are insertion-sorted.
constexpr std::size_t kInsertionSortMax = 24;

// std heap functions build a max-heap; "later" as the comparison makes it a min-heap.
struct Later {
  bool operator()(const Event& a, const Event& b) const { return runs_before(b, a); }
};

// (time, order) as one 128-bit key: one branch-free comparison.
__extension__ typedef unsigned __int128 Key;
Key key(const Event& e) {
  return (static_cast<Key>(static_cast<std::uint64_t>(e.time.ticks())) << 64) | e.order;
}

void sort_events(Event* first, Event* last) {
  if (static_cast<std::size_t>(last - first) > kInsertionSortMax) {
    std::sort(first, last, [](const Event& a, const Event& b) { return key(a) < key(b); });
    return;
  }
  for (Event* i = first + 1; i < last; ++i) {
    const Event e = *i;
    const Key k = key(e);
    Event* j = i;
    for (; j > first && k < key(j[-1]); --j)
      *j = j[-1];
    *j = e;
  }
}

}  // namespace

EventQueue::Tick EventQueue::range_end(Tick start, std::size_t count, int shift) {
  const Tick room = kEndOfTime - start;
  if (shift >= 63 || count > (room >> shift)) return kEndOfTime;
  return start + (static_cast<Tick>(count) << shift);
}

void EventQueue::refuse_negative() {
  throw std::invalid_argument("EventQueue: negative event time");
}

void EventQueue::push_lower(const Event& e) {
  // Below rung 0, or no rung at all: the first rung whose range holds t, else bottom.
  const auto t = static_cast<Tick>(e.time.ticks());
  for (int r = 1; r < rung_count_; ++r) {
    if (t >= lower_[static_cast<std::size_t>(r)]) {
      append(rungs_[static_cast<std::size_t>(r)], e);
      return;
    }
  }
  late_.push_back(e);
  std::push_heap(late_.begin(), late_.end(), Later{});
  // A late heap that outgrows the sorted run means bottom's range is too wide for how busy it
  // has become: spread both over a finer rung. Growth is geometric, so each push pays O(1).
  if (late_.size() > std::max<std::size_t>(kLateMax, bottom_end_ - next_) &&
      rung_count_ < kMaxRungs) {
    demote_bottom();
  }
}

void EventQueue::demote_bottom() {
  // Precondition: late_ is not empty. Bottom holds [lo, end) for lo its first event's time;
  // the new rung covers that range with one bucket per few events.
  const Tick end = rung_count_ > 0 ? lower_[static_cast<std::size_t>(rung_count_ - 1)] : top_start_;
  auto lo = static_cast<Tick>(late_.front().time.ticks());
  if (next_ < bottom_end_) lo = std::min(lo, static_cast<Tick>(bottom_[next_].time.ticks()));
  const std::size_t events = late_.size() + (bottom_end_ - next_);
  const std::size_t target =
      std::clamp<std::size_t>(events / kSpawnEventsPerBucket, 1, kMaxBuckets);
  int shift = 0;
  while (((end - 1 - lo) >> shift) >= target)
    ++shift;
  Rung& rung = add_rung(lo, shift, static_cast<std::size_t>((end - 1 - lo) >> shift) + 1);
  for (std::size_t i = next_; i < bottom_end_; ++i)
    append(rung, bottom_[i]);
  for (const Event& e : late_)
    append(rung, e);
  next_ = bottom_end_ = 0;
  late_.clear();
}

void EventQueue::add_chunk(List& list) {
  if (free_chunk_ == kNoChunk) {
    // A new slab, threaded onto the free list. Slabs never move, so chunks are never copied.
    const auto first = static_cast<std::uint32_t>(next_chunk_.size());
    const std::uint32_t n = 1u << kSlabShift;
    slabs_.push_back(std::make_unique<Chunk[]>(n));
    next_chunk_.resize(next_chunk_.size() + n);
    for (std::uint32_t i = 0; i < n; ++i)
      next_chunk_[first + i] = i + 1 < n ? first + i + 1 : kNoChunk;
    free_chunk_ = first;
  }
  const std::uint32_t c = free_chunk_;
  free_chunk_ = next_chunk_[c];
  if (list.size == 0) {
    list.head = c;
  } else {
    next_chunk_[list.tail] = c;
  }
  list.tail = c;
}

void EventQueue::free_chunk(std::uint32_t c) {
  next_chunk_[c] = free_chunk_;
  free_chunk_ = c;
}

void EventQueue::prefetch_chunk(std::uint32_t c) const {
  const auto* p = reinterpret_cast<const char*>(&chunk(c));
  for (std::size_t line = 0; line < sizeof(Chunk); line += 64)
    __builtin_prefetch(p + line);
}

const Event* EventQueue::front_slow() {
  if (!late_.empty()) {
    if (next_ < bottom_end_ && runs_before(bottom_[next_], late_.front())) return &bottom_[next_];
    return &late_.front();
  }
  if (size_ == 0) return nullptr;
  refill_bottom();
  return &bottom_[next_];
}

void EventQueue::pop_late_or_bottom() {
  if (next_ < bottom_end_ && runs_before(bottom_[next_], late_.front())) {
    ++next_;
    return;
  }
  std::pop_heap(late_.begin(), late_.end(), Later{});
  late_.pop_back();
}

void EventQueue::refill_bottom() {
  // Precondition: bottom_ is used up, late_ is empty and size_ > 0.
  for (;;) {
    if (rung_count_ == 0 && top_.size <= kSpawnThreshold) {
      // A small top (a queue of a few events) is sorted whole, without building a rung.
      const List top = top_;
      top_ = List{};
      top_start_ = top_max_ + 1;
      sort_into_bottom(top);
      return;
    }
    if (rung_count_ == 0) spread_top();
    const auto r = static_cast<std::size_t>(rung_count_ - 1);
    Rung& rung = rungs_[r];
    if (rung.events == 0) {
      --rung_count_;  // its range now belongs to bottom, which is empty
      continue;
    }
    while (rung.buckets[rung.current].size == 0)
      ++rung.current;
    List bucket = rung.buckets[rung.current];
    rung.buckets[rung.current] = List{};
    const Tick bucket_start = range_end(rung.start, rung.current, rung.shift);
    ++rung.current;
    lower_[r] = range_end(rung.start, rung.current, rung.shift);
    rung.events -= bucket.size;
    if (bucket.size > kSpawnThreshold && rung.shift > 0 && rung_count_ < kMaxRungs &&
        spawn_rung(bucket, bucket_start, rung.shift)) {
      continue;
    }
    sort_into_bottom(bucket);
    return;
  }
}

EventQueue::Rung& EventQueue::add_rung(Tick start, int shift, std::size_t count) {
  const auto r = static_cast<std::size_t>(rung_count_++);
  Rung& rung = rungs_[r];
  rung.start = start;
  rung.shift = shift;
  rung.current = 0;
  rung.events = 0;
  rung.buckets.assign(count, List{});
  lower_[r] = start;
  return rung;
}

void EventQueue::spread_top() {
  // Precondition: no rung, and top_ is not empty. The narrowest power-of-two width that
  // covers [top_min_, top_max_] with at most `target` buckets.
  const std::size_t target =
      std::clamp<std::size_t>(top_.size / kTopEventsPerBucket, 1, kMaxBuckets);
  const Tick span = top_max_ - top_min_;
  int shift = 0;
  while ((span >> shift) >= target)
    ++shift;
  const auto count = static_cast<std::size_t>(span >> shift) + 1;
  Rung& rung = add_rung(top_min_, shift, count);
  top_start_ = range_end(top_min_, count, shift);
  const List top = top_;
  top_ = List{};
  move_to_rung(top, rung);
}

bool EventQueue::spawn_rung(List& bucket, Tick bucket_start, int parent_shift) {
  // The new rung cuts the bucket's 2^parent_shift ticks into a power of two of buckets.
  const std::size_t most =
      std::min<std::size_t>(kMaxBuckets, std::size_t{1} << std::min(parent_shift, 62));
  const std::size_t count =
      std::clamp<std::size_t>(std::bit_ceil(bucket.size / kSpawnEventsPerBucket), 2, most);
  Rung& rung = add_rung(bucket_start, parent_shift - std::countr_zero(count), count);
  const Tick time = move_to_rung(bucket, rung);
  if (time == kEndOfTime) return true;
  // Every event has the same time (periodic processes in step, say): no finer rung can split
  // them, so sort them now rather than spawn rung after rung.
  List& only = rung.buckets[static_cast<std::size_t>((time - rung.start) >> rung.shift)];
  bucket = only;
  only = List{};
  --rung_count_;
  return false;
}

EventQueue::Tick EventQueue::move_to_rung(const List& from, Rung& rung) {
  // A big list was filled long ago and its chunks are scattered: walking the chain one miss at
  // a time would wait on memory for every chunk, so fetch kPrefetchChunks ahead.
  std::uint32_t chunks = (from.size + kChunkEvents - 1) / kChunkEvents;
  std::uint32_t ahead = from.head;
  for (std::uint32_t i = 0; i < kPrefetchChunks && i < chunks; ++i) {
    prefetch_chunk(ahead);
    ahead = next_chunk_[ahead];
  }
  Tick lo = kEndOfTime;
  Tick hi = 0;
  std::uint32_t left = from.size;
  for (std::uint32_t c = from.head; left > 0; --chunks) {
    if (chunks > kPrefetchChunks) {
      prefetch_chunk(ahead);
      ahead = next_chunk_[ahead];
    }
    const std::uint32_t n = std::min(left, kChunkEvents);
    // The whole chunk is appended before it is freed, so that append never reuses it.
    for (std::uint32_t i = 0; i < n; ++i) {
      const Event& e = chunk(c).events[i];
      const auto t = static_cast<Tick>(e.time.ticks());
      lo = std::min(lo, t);
      hi = std::max(hi, t);
      append(rung, e);
    }
    left -= n;
    const std::uint32_t next = next_chunk_[c];
    free_chunk(c);
    c = next;
  }
  return lo == hi ? lo : kEndOfTime;
}

void EventQueue::sort_into_bottom(const List& bucket) {
  if (bottom_.size() < bucket.size) bottom_.resize(bucket.size);
  Event* out = bottom_.data();
  std::uint32_t left = bucket.size;
  for (std::uint32_t c = bucket.head; left > 0;) {
    const std::uint32_t n = std::min(left, kChunkEvents);
    const Event* in = chunk(c).events;
    for (std::uint32_t i = 0; i < n; ++i)
      *out++ = in[i];
    left -= n;
    const std::uint32_t next = next_chunk_[c];
    free_chunk(c);
    c = next;
  }
  next_ = 0;
  bottom_end_ = bucket.size;
  sort_events(bottom_.data(), bottom_.data() + bottom_end_);
}

bool EventQueue::list_contains(const List& list, Time t, std::uint64_t order) const {
  std::uint32_t left = list.size;
  for (std::uint32_t c = list.head; left > 0; c = next_chunk_[c]) {
    const std::uint32_t n = std::min(left, kChunkEvents);
    for (std::uint32_t i = 0; i < n; ++i) {
      const Event& e = chunk(c).events[i];
      if (e.time == t && e.order == order) return true;
    }
    left -= n;
  }
  return false;
}

bool EventQueue::contains(Time t, std::uint64_t order) const {
  const auto same = [&](const Event& e) { return e.time == t && e.order == order; };
  if (std::any_of(late_.begin(), late_.end(), same)) return true;
  Event probe;
  probe.time = t;
  probe.order = order;
  const auto first = bottom_.begin() + static_cast<std::ptrdiff_t>(next_);
  const auto last = bottom_.begin() + static_cast<std::ptrdiff_t>(bottom_end_);
  const auto it = std::lower_bound(first, last, probe, runs_before);
  if (it != last && same(*it)) return true;
  const auto tick = static_cast<Tick>(t.ticks());
  if (tick >= top_start_) return list_contains(top_, t, order);
  for (std::size_t r = 0; r < static_cast<std::size_t>(rung_count_); ++r) {
    if (tick >= lower_[r]) {
      const Rung& rung = rungs_[r];
      return list_contains(
          rung.buckets[static_cast<std::size_t>((tick - rung.start) >> rung.shift)], t, order);
    }
  }
  return false;
}

}  // namespace sim
