#include "models/validation/sanity_check.hpp"

#include <catch2/catch.hpp>

using models::SanityCheck;
using models::SanitySpec;
using models::Submission;
using models::Verdict;
using sim::Time;

TEST_CASE("models::SanityCheck: rejects values out of bounds and impossible jumps", "[unit]") {
  SanitySpec spec;
  spec.min_c = -10;
  spec.max_c = 40;
  spec.max_jump_c_per_h = 5;
  SanityCheck check(spec, 2);
  const std::vector<Submission> subs{
      {0, Time::hours(0), 20.0},   // first reading: accepted
      {0, Time::hours(1), 24.0},   // +4 in 1 h: accepted
      {0, Time::hours(2), 35.0},   // +11 in 1 h: jump
      {0, Time::hours(4), 33.0},   // +9 in 3 h since the last accepted (24 at 1 h): accepted
      {1, Time::hours(0), 41.0},   // above max
      {1, Time::hours(1), -10.5},  // below min
      {1, Time::hours(2), std::nan("")},
  };
  std::vector<Verdict> v(subs.size());
  check.check(subs, v);
  CHECK(v == std::vector<Verdict>{Verdict::accepted, Verdict::accepted, Verdict::jump,
                                  Verdict::accepted, Verdict::out_of_bounds, Verdict::out_of_bounds,
                                  Verdict::out_of_bounds});
}

TEST_CASE("models::SanityCheck: judges a sensor's readings in time order, whatever the arrival",
          "[unit]") {
  SanitySpec spec;
  spec.max_jump_c_per_h = 5;
  const std::vector<Submission> in_order{
      {0, Time::hours(0), 10}, {0, Time::hours(1), 14}, {0, Time::hours(2), 30}};
  const std::vector<Submission> shuffled{in_order[2], in_order[0], in_order[1]};
  SanityCheck a(spec, 1), b(spec, 1);
  std::vector<Verdict> va(3), vb(3);
  a.check(in_order, va);
  b.check(shuffled, vb);
  CHECK(va == std::vector<Verdict>{Verdict::accepted, Verdict::accepted, Verdict::jump});
  CHECK(vb == std::vector<Verdict>{Verdict::jump, Verdict::accepted, Verdict::accepted});
}

TEST_CASE("models::SanityCheck: remembers the last plausible reading across epochs", "[unit]") {
  SanitySpec spec;
  spec.max_jump_c_per_h = 1;
  SanityCheck check(spec, 1);
  std::vector<Verdict> v(1);
  check.check(std::vector<Submission>{{0, Time::hours(23), 10}}, v);
  CHECK(v[0] == Verdict::accepted);
  check.check(std::vector<Submission>{{0, Time::hours(24), 15}}, v);
  CHECK(v[0] == Verdict::jump);
}
