#include "sim/simulator.hpp"

#include <vector>

#include <catch2/catch.hpp>

using sim::Event;
using sim::Simulator;
using sim::Time;

namespace {
struct Log {
  std::vector<std::pair<Time, std::uint32_t>> seen;
  void record(Simulator& s, const Event& e) { seen.emplace_back(s.now(), e.target); }
};
constexpr sim::EventKind kRecord = 1;
}  // namespace

TEST_CASE("sim::Simulator: dispatches by kind in time order and advances the clock", "[unit]") {
  Simulator s;
  Log log;
  s.on<&Log::record>(kRecord, log);
  s.schedule_at(Time::seconds(3), kRecord, 3);
  s.schedule_at(Time::seconds(1), kRecord, 1);
  s.schedule_at(Time::seconds(2), kRecord, 2);
  CHECK(s.run() == 3);
  REQUIRE(log.seen.size() == 3);
  CHECK(log.seen[0] == std::pair{Time::seconds(1), 1u});
  CHECK(log.seen[2] == std::pair{Time::seconds(3), 3u});
  CHECK(s.now() == Time::seconds(3));
}

TEST_CASE("sim::Simulator: equal times run by priority, then scheduling order", "[unit]") {
  Simulator s;
  Log log;
  s.on<&Log::record>(kRecord, log);
  s.schedule_at(Time::seconds(1), kRecord, 1);
  s.schedule_at(Time::seconds(1), kRecord, 2);
  s.schedule_at(Time::seconds(1), kRecord, 0, 0, 5);  // higher priority (lower number)
  s.run();
  REQUIRE(log.seen.size() == 3);
  CHECK(log.seen[0].second == 0);
  CHECK(log.seen[1].second == 1);
  CHECK(log.seen[2].second == 2);
}

TEST_CASE("sim::Simulator: cancel removes a pending event and refuses one that ran", "[unit]") {
  Simulator s;
  Log log;
  s.on<&Log::record>(kRecord, log);
  const sim::EventId a = s.schedule_at(Time::seconds(1), kRecord, 1);
  const sim::EventId b = s.schedule_at(Time::seconds(2), kRecord, 2);
  CHECK(s.pending() == 2);
  CHECK(s.cancel(b));
  CHECK_FALSE(s.cancel(b));
  CHECK(s.pending() == 1);
  s.run();
  CHECK(log.seen.size() == 1);
  CHECK_FALSE(s.cancel(a));
  CHECK(s.pending() == 0);
}

TEST_CASE("sim::Simulator: an event at the current time that already ran cannot be cancelled",
          "[unit]") {
  struct Canceller {
    sim::EventId self, later;
    bool self_cancelled = true, later_cancelled = false;
    int runs = 0;
    void handle(Simulator& s, const Event&) {
      ++runs;
      if (runs == 1) {
        self_cancelled = s.cancel(self);
        later_cancelled = s.cancel(later);
      }
    }
  } c;
  Simulator s;
  s.on<&Canceller::handle>(kRecord, c);
  c.self = s.schedule_at(Time::seconds(1), kRecord, 0);
  c.later = s.schedule_at(Time::seconds(1), kRecord, 0);
  s.run();
  CHECK_FALSE(c.self_cancelled);
  CHECK(c.later_cancelled);
  CHECK(c.runs == 1);
}

TEST_CASE("sim::Simulator: periodic processes repeat until stopped", "[unit]") {
  Simulator s;
  Log log;
  s.on<&Log::record>(kRecord, log);
  const sim::ProcessId p = s.every(Time::hours(1), Time::minutes(30), kRecord, 9);
  s.run_until(Time::hours(3));
  CHECK(log.seen.size() == 3);  // 0:30, 1:30, 2:30
  CHECK(log.seen.back().first == Time::minutes(150));
  CHECK(s.now() == Time::hours(3));
  s.stop_process(p);
  s.run_until(Time::hours(10));
  CHECK(log.seen.size() == 3);
  CHECK(s.pending() == 0);
}

TEST_CASE("sim::Simulator: run_until stops at the horizon and later events still run", "[unit]") {
  Simulator s;
  Log log;
  s.on<&Log::record>(kRecord, log);
  s.schedule_at(Time::seconds(10), kRecord, 10);
  CHECK(s.run_until(Time::seconds(5)) == 0);
  CHECK(s.now() == Time::seconds(5));
  s.schedule_in(Time::seconds(1), kRecord, 6);  // earlier than the event already peeked at
  s.run();
  REQUIRE(log.seen.size() == 2);
  CHECK(log.seen[0] == std::pair{Time::seconds(6), 6u});
  CHECK(log.seen[1] == std::pair{Time::seconds(10), 10u});
}

TEST_CASE("sim::Simulator: stop() returns from run after the current event", "[unit]") {
  struct Stopper {
    int runs = 0;
    void handle(Simulator& s, const Event&) {
      if (++runs == 2) s.stop();
    }
  } st;
  Simulator s;
  s.on<&Stopper::handle>(kRecord, st);
  for (int i = 1; i <= 5; ++i)
    s.schedule_at(Time::seconds(i), kRecord, 0);
  CHECK(s.run() == 2);
  CHECK(s.now() == Time::seconds(2));
  CHECK(s.pending() == 3);
}

TEST_CASE("sim::Simulator: refuses the past, unknown kinds and reserved kinds", "[unit]") {
  Simulator s;
  Log log;
  s.on<&Log::record>(kRecord, log);
  s.run_until(Time::seconds(5));
  CHECK_THROWS_AS(s.schedule_at(Time::seconds(4), kRecord, 0), std::logic_error);
  s.schedule_at(Time::seconds(6), 7, 0);
  CHECK_THROWS_WITH(s.run(), Catch::Contains("no handler"));
  CHECK_THROWS_AS(s.on<&Log::record>(sim::kFirstKernelKind, log), std::invalid_argument);
  CHECK_THROWS_AS(s.on<&Log::record>(kRecord, log), std::logic_error);
}

TEST_CASE("sim::Simulator: an event scheduled at the horizon it stopped at can be cancelled",
          "[unit]") {
  // run_until sets the clock to the horizon without popping anything there, so an event
  // scheduled at exactly now may sit in any tier of the queue; it must still count as pending.
  Simulator s;
  Log log;
  s.on<&Log::record>(kRecord, log);
  s.run_until(Time::seconds(5));  // nothing pending: nothing peeked
  const sim::EventId idle = s.schedule_at(Time::seconds(5), kRecord, 0);
  for (int i = 1; i <= 100; ++i)
    s.schedule_at(Time::seconds(10 * i), kRecord, static_cast<std::uint32_t>(i));
  CHECK(s.cancel(idle));
  s.run_until(Time::seconds(15));  // peeks at the event at 20 s
  const sim::EventId peeked = s.schedule_at(Time::seconds(15), kRecord, 0);
  CHECK(s.cancel(peeked));
  s.run_until(Time::seconds(25));
  REQUIRE(log.seen.size() == 2);
  CHECK(log.seen[0] == std::pair{Time::seconds(10), 1u});
  CHECK(log.seen[1] == std::pair{Time::seconds(20), 2u});
}
