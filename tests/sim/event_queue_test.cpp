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

namespace {
// Pops everything from q and checks it against the same events sorted independently.
void require_pops_sorted(EventQueue& q, std::vector<Event> pushed) {
  std::sort(pushed.begin(), pushed.end(), sim::runs_before);
  for (const Event& want : pushed) {
    REQUIRE_FALSE(q.empty());
    const Event got = q.pop();
    REQUIRE(got.time == want.time);
    REQUIRE(got.order == want.order);
  }
  CHECK(q.empty());
  CHECK(q.front() == nullptr);
}
}  // namespace

TEST_CASE("sim::EventQueue: a hold model over many top rebuilds pops as a reference heap does",
          "[unit]") {
  // PHOLD's pattern at a size that rebuilds rung 0 from the top many times and splits crowded
  // buckets over finer rungs: each pop schedules one event an exponential delay later.
  struct Later {
    bool operator()(const Event& a, const Event& b) const { return sim::runs_before(b, a); }
  };
  std::priority_queue<Event, std::vector<Event>, Later> reference;
  std::mt19937_64 rng(11);
  std::exponential_distribution<double> delay_s(1.0);
  EventQueue q;
  std::uint64_t seq = 0;
  for (int i = 0; i < 20'000; ++i) {
    const Event e = make(Time::from_seconds(delay_s(rng)), 128, seq++);
    q.push(e);
    reference.push(e);
  }
  for (int i = 0; i < 400'000; ++i) {
    const Event e = q.pop();
    REQUIRE(e.order == reference.top().order);
    REQUIRE(e.time == reference.top().time);
    reference.pop();
    const Event next = make(e.time + Time::from_seconds(delay_s(rng)),
                            static_cast<sim::Priority>(rng() % 2), seq++);
    q.push(next);
    reference.push(next);
  }
}

TEST_CASE("sim::EventQueue: a huge same-time burst among spread events keeps its order", "[unit]") {
  // The burst cannot be split by time: it must be sorted by order, with events at the same
  // time pushed while it drains (the model reacting at the current time) slotting in by order.
  EventQueue q;
  std::vector<Event> pushed;
  std::uint64_t seq = 0;
  for (int i = 0; i < 1'000; ++i)
    pushed.push_back(make(Time::micros(i * 7'919 % 100'000), 128, seq++));
  for (int i = 0; i < 100'000; ++i)
    pushed.push_back(make(Time::micros(50'000), static_cast<sim::Priority>(i % 3), seq++));
  for (const Event& e : pushed)
    q.push(e);
  while (q.next_time() < Time::micros(50'000))
    q.pop();
  std::vector<Event> rest;
  for (const Event& e : pushed)
    if (e.time >= Time::micros(50'000)) rest.push_back(e);
  for (int i = 0; i < 10; ++i) {
    const Event e = make(Time::micros(50'000), 1, seq++);
    q.push(e);
    rest.push_back(e);
  }
  require_pops_sorted(q, rest);
}

TEST_CASE("sim::EventQueue: times from one microsecond to the end of time pop in order", "[unit]") {
  // Every power of two of ticks up to 2^62, their neighbours and Time::max() at once: the
  // rungs' ranges saturate rather than overflow.
  EventQueue q;
  std::vector<Event> pushed;
  std::uint64_t seq = 0;
  for (int k = 0; k < 63; ++k) {
    const std::int64_t t = std::int64_t{1} << k;
    for (const std::int64_t d : {-1, 0, 1})
      pushed.push_back(make(Time::from_ticks(t + d), 128, seq++));
  }
  pushed.push_back(make(Time::max(), 128, seq++));
  pushed.push_back(make(Time::max(), 0, seq++));
  for (const Event& e : pushed)
    q.push(e);
  require_pops_sorted(q, pushed);
}

TEST_CASE("sim::EventQueue: clusters at every scale fill every rung and still pop in order",
          "[unit]") {
  // Forty events around each power of two of ticks: each bucket split finds the next cluster
  // still in its first bucket, until the rungs run out and a bucket is sorted whole.
  EventQueue q;
  std::vector<Event> pushed;
  std::mt19937_64 rng(29);
  std::uint64_t seq = 0;
  for (int k = 0; k < 62; ++k) {
    for (int i = 0; i < 40; ++i) {
      const std::int64_t t = (std::int64_t{1} << k) + static_cast<std::int64_t>(rng() % 3);
      pushed.push_back(make(Time::from_ticks(t), static_cast<sim::Priority>(rng() % 2), seq++));
    }
  }
  for (const Event& e : pushed)
    q.push(e);
  require_pops_sorted(q, pushed);
}

TEST_CASE("sim::EventQueue: pushes at every tier boundary while draining pop in order", "[unit]") {
  // After each pop, push events at the popped time, one tick later, and at random distances
  // up to a day: they land in the late heap, the sorted run, each rung and the top.
  struct Later {
    bool operator()(const Event& a, const Event& b) const { return sim::runs_before(b, a); }
  };
  std::priority_queue<Event, std::vector<Event>, Later> reference;
  std::mt19937_64 rng(3);
  EventQueue q;
  std::uint64_t seq = 0;
  const auto push = [&](Time t) {
    const Event e = make(t, static_cast<sim::Priority>(rng() % 4), seq++);
    q.push(e);
    reference.push(e);
  };
  for (int i = 0; i < 5'000; ++i)
    push(Time::micros(static_cast<std::int64_t>(rng() % 86'400'000'000LL)));
  for (int i = 0; i < 200'000 && !q.empty(); ++i) {
    const Event e = q.pop();
    REQUIRE(e.order == reference.top().order);
    REQUIRE(e.time == reference.top().time);
    reference.pop();
    switch (rng() % 4) {
      case 0:
        push(e.time);
        break;
      case 1:
        push(e.time + Time::micros(1));
        break;
      case 2:
        push(e.time + Time::micros(static_cast<std::int64_t>(rng() % 1'000'000)));
        break;
      default:
        push(e.time + Time::micros(static_cast<std::int64_t>(rng() % 86'400'000'000LL)));
    }
  }
}

TEST_CASE("sim::EventQueue: a busy late heap is spread over a new rung, keeping order", "[unit]") {
  // A few events a year apart, then a burst of 5,000 chains of events about a second apart:
  // the burst lands behind the sorted run, in the late heap, which must be demoted to a rung.
  struct Later {
    bool operator()(const Event& a, const Event& b) const { return sim::runs_before(b, a); }
  };
  std::priority_queue<Event, std::vector<Event>, Later> reference;
  std::mt19937_64 rng(17);
  std::exponential_distribution<double> delay_s(1.0);
  EventQueue q;
  std::uint64_t seq = 0;
  const auto push = [&](Time t, std::uint32_t chain) {
    const Event e = make(t, 128, seq++, chain);
    q.push(e);
    reference.push(e);
  };
  for (int i = 0; i < 30; ++i)
    push(Time::micros(static_cast<std::int64_t>(rng() % 31'536'000'000'000LL)), 0);
  bool burst = false;
  for (int i = 0; i < 300'000; ++i) {
    const Event e = q.pop();
    REQUIRE(e.order == reference.top().order);
    REQUIRE(e.time == reference.top().time);
    reference.pop();
    if (e.target == 0 && !burst) {
      burst = true;
      for (std::uint32_t c = 1; c <= 5'000; ++c)
        push(e.time + Time::from_seconds(delay_s(rng)), c);
    }
    if (e.target != 0) push(e.time + Time::from_seconds(delay_s(rng)), e.target);
  }
}

TEST_CASE("sim::EventQueue: a queue of a few events pops as a reference heap does", "[unit]") {
  // Chains of one to eight events with zero, one-tick and longer delays: the top is sorted
  // whole, and pushes land behind, inside and after the sorted run.
  struct Later {
    bool operator()(const Event& a, const Event& b) const { return sim::runs_before(b, a); }
  };
  std::mt19937_64 rng(23);
  std::uint64_t seq = 0;
  for (int chains = 1; chains <= 8; ++chains) {
    std::priority_queue<Event, std::vector<Event>, Later> reference;
    EventQueue q;
    for (int c = 0; c < chains; ++c) {
      const Event e = make(Time::micros(static_cast<std::int64_t>(rng() % 1'000)), 128, seq++);
      q.push(e);
      reference.push(e);
    }
    for (int i = 0; i < 20'000; ++i) {
      const Event e = q.pop();
      REQUIRE(e.order == reference.top().order);
      REQUIRE(e.time == reference.top().time);
      reference.pop();
      const std::int64_t delays[] = {0, 1, 1'000, 1'000'000};
      const Event next = make(e.time + Time::micros(delays[rng() % 4]),
                              static_cast<sim::Priority>(rng() % 3), seq++);
      q.push(next);
      reference.push(next);
    }
  }
}

TEST_CASE("sim::EventQueue: contains finds pending events in every tier", "[unit]") {
  EventQueue q;
  std::vector<Event> pushed;
  for (std::uint64_t i = 0; i < 1'000; ++i)
    pushed.push_back(make(Time::micros(static_cast<std::int64_t>(i * i)), 128, i));
  for (const Event& e : pushed)
    q.push(e);
  for (const Event& e : pushed)
    REQUIRE(q.contains(e.time, e.order));  // all in the top
  CHECK_FALSE(q.contains(Time::micros(4), 3));
  const Event first = q.pop();  // builds the rungs and the sorted run
  CHECK_FALSE(q.contains(first.time, first.order));
  const Event late = make(first.time, 0, 5'000);  // lands in the late heap
  q.push(late);
  CHECK(q.contains(late.time, late.order));
  for (std::size_t i = 1; i < pushed.size(); ++i)
    REQUIRE(q.contains(pushed[i].time, pushed[i].order));
  CHECK(q.pop().order == late.order);
  CHECK_FALSE(q.contains(late.time, late.order));
}

TEST_CASE("sim::EventQueue: refuses negative times and clear() empties it", "[unit]") {
  EventQueue q;
  CHECK_THROWS_AS(q.push(make(Time::micros(-1), 128, 0)), std::invalid_argument);
  CHECK(q.empty());
  for (std::uint64_t i = 0; i < 100; ++i)
    q.push(make(Time::seconds(static_cast<std::int64_t>(i)), 128, i));
  q.pop();
  q.clear();
  CHECK(q.empty());
  CHECK(q.front() == nullptr);
  q.push(make(Time::seconds(1), 128, 0));
  CHECK(q.pop().time == Time::seconds(1));
}
