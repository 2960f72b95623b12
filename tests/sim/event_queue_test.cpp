#include "sim/event_queue.hpp"

#include <algorithm>
#include <queue>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

using sim::Event;
using sim::EventQueue;
using sim::Time;

namespace {
Event make(Time t, sim::Priority p, std::uint64_t seq, std::uint32_t target = 0) {
  Event e;
  e.time = t;
  e.order = Event::make_order(p, seq);
  e.target = target;
  return e;
}
}  // namespace

TEST_CASE("sim::EventQueue: equal times pop by priority, then in insertion order", "[unit]") {
  EventQueue q;
  q.push(make(Time::seconds(5), 128, 0, 1));
  q.push(make(Time::seconds(5), 128, 1, 2));
  q.push(make(Time::seconds(5), 10, 2, 3));
  q.push(make(Time::seconds(1), 200, 3, 4));
  q.push(make(Time::seconds(5), 128, 4, 5));
  std::vector<std::uint32_t> order;
  while (!q.empty())
    order.push_back(q.pop().target);
  CHECK(order == std::vector<std::uint32_t>{4, 3, 1, 2, 5});
}

TEST_CASE("sim::EventQueue: pops a million mixed events exactly as a reference heap does",
          "[unit]") {
  // Times from several scales at once (microseconds to years) and many exact ties, with pushes
  // interleaved with pops as a simulation does. Each pop must be the minimum of what is pending,
  // which std::priority_queue computes independently.
  struct Later {
    bool operator()(const Event& a, const Event& b) const { return sim::runs_before(b, a); }
  };
  std::priority_queue<Event, std::vector<Event>, Later> reference;
  std::mt19937_64 rng(7);
  EventQueue q;
  std::size_t popped = 0;
  std::uint64_t seq = 0;
  Time now;
  auto push_random = [&] {
    const int scale = static_cast<int>(rng() % 4);
    const std::int64_t spans[] = {1'000, 3'600'000'000LL, 86'400'000'000LL * 365, 0};
    const std::int64_t delay =
        spans[scale] == 0 ? 0 : static_cast<std::int64_t>(rng() % spans[scale]);
    const Event e = make(now + Time::micros(delay), static_cast<sim::Priority>(rng() % 3), seq++);
    q.push(e);
    reference.push(e);
  };
  for (int i = 0; i < 1000; ++i)
    push_random();
  while (popped < 1'000'000) {
    const Event e = q.pop();
    REQUIRE(e.order == reference.top().order);
    REQUIRE(e.time == reference.top().time);
    reference.pop();
    now = e.time;
    ++popped;
    const int children = static_cast<int>(rng() % 3);  // keeps the population near 1000
    for (int c = 0; c < children; ++c)
      push_random();
    if (q.empty()) push_random();
    REQUIRE(q.size() == reference.size());
  }
}

TEST_CASE("sim::EventQueue: accepts an event earlier than the last peeked time", "[unit]") {
  EventQueue q;
  q.push(make(Time::seconds(100), 128, 0));
  CHECK(q.next_time() == Time::seconds(100));
  q.push(make(Time::seconds(50), 128, 1));
  CHECK(q.size() == 2);
  CHECK(q.pop().time == Time::seconds(50));
  CHECK(q.pop().time == Time::seconds(100));
  CHECK(q.empty());
}

TEST_CASE("sim::EventQueue: a burst of identical times keeps insertion order", "[unit]") {
  EventQueue q;
  for (std::uint32_t i = 0; i < 100'000; ++i)
    q.push(make(Time::days(1), 128, i, i));
  for (std::uint32_t i = 0; i < 100'000; ++i)
    REQUIRE(q.pop().target == i);
}
