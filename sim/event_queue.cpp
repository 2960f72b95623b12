#include "sim/event_queue.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <stdexcept>

namespace sim {

namespace {
// std heap functions build a max-heap; "later" as the comparison makes it a min-heap.
struct Later {
  bool operator()(const Event& a, const Event& b) const { return runs_before(b, a); }
};
}  // namespace

void EventQueue::push(const Event& e) {
  const Rep t = e.time.ticks();
  if (t < 0) throw std::invalid_argument("EventQueue: negative event time");
  if (t < near_end_) {
    near_.push_back(e);
    std::push_heap(near_.begin(), near_.end(), Later{});
  } else if (t < calendar_end_) {
    buckets_[static_cast<std::size_t>((t - calendar_start_) >> width_shift_)].push_back(e);
  } else {
    if (far_.empty() || t < far_min_) far_min_ = t;
    if (far_.empty() || t > far_max_) far_max_ = t;
    far_.push_back(e);
  }
  ++size_;
}

void EventQueue::rebuild_calendar() {
  // Precondition: the calendar is used up and far_ is not empty.
  const auto span = static_cast<double>(far_max_ - far_min_) + 1.0;
  const double ideal_width = span * kEventsPerBucket / static_cast<double>(far_.size());
  width_shift_ = ideal_width <= 1.0 ? 0 : static_cast<int>(std::ceil(std::log2(ideal_width)));
  auto count = static_cast<std::size_t>((far_max_ - far_min_) >> width_shift_) + 1;
  while (count > kMaxBuckets) {
    ++width_shift_;
    count = static_cast<std::size_t>((far_max_ - far_min_) >> width_shift_) + 1;
  }
  if (buckets_.size() < count) buckets_.resize(count);
  bucket_count_ = count;
  next_bucket_ = 0;
  calendar_start_ = far_min_;
  near_end_ = far_min_;
  calendar_end_ = far_min_ + static_cast<Rep>(count << width_shift_);
  for (const Event& e : far_) {
    buckets_[static_cast<std::size_t>((e.time.ticks() - calendar_start_) >> width_shift_)]
        .push_back(e);
  }
  far_.clear();
}

void EventQueue::fill_near() {
  // Precondition: near_ is empty and size_ > 0.
  while (near_.empty()) {
    if (next_bucket_ == bucket_count_) rebuild_calendar();
    near_.swap(buckets_[next_bucket_++]);  // the bucket keeps near_'s old (empty) storage
    near_end_ += Rep{1} << width_shift_;
  }
  std::make_heap(near_.begin(), near_.end(), Later{});
}

Time EventQueue::next_time() {
  if (near_.empty()) fill_near();
  return near_.front().time;
}

Event EventQueue::pop() {
  if (near_.empty()) fill_near();
  std::pop_heap(near_.begin(), near_.end(), Later{});
  const Event e = near_.back();
  near_.pop_back();
  --size_;
  return e;
}

bool EventQueue::pending_near(Time t, std::uint64_t order) const {
  return std::any_of(near_.begin(), near_.end(),
                     [&](const Event& e) { return e.time == t && e.order == order; });
}

void EventQueue::clear() {
  *this = EventQueue{};
}

}  // namespace sim
