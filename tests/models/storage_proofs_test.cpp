#include "models/validation/storage_proofs.hpp"

#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/models/config_reading.hpp"

using models::ProofEvents;
using models::ProofLedger;
using models::ProofSpec;
using models::UnitProof;
using sim::Time;

namespace {

const Time kDay = Time::days(1);

std::vector<sim::config::Problem> read_problems(const std::string& text, ProofSpec* out = nullptr) {
  return test_support::read_nested<ProofSpec>(text, "proofs.yaml", "storage", "proofs",
                                              &models::read_proof_spec, out);
}

}  // namespace

TEST_CASE("models::ProofLedger: a unit proven every period stays active and costs nothing",
          "[unit]") {
  ProofLedger ledger(ProofSpec{});
  ledger.open(0, 5, Time{});
  ledger.open(1, 47, Time{});
  const std::vector<std::uint8_t> proven{1, 1};
  for (int k = 0; k < 100; ++k) {
    const ProofEvents ev = ledger.close_period(kDay * k, proven);
    REQUIRE(ev.new_faults.empty());
    REQUIRE(ev.continued_faults.empty());
    REQUIRE(ev.terminations.empty());
  }
  CHECK(ledger.active() == 2);
  CHECK(ledger.faulty() == 0);
  // 48 deadlines of 30 minutes: deadline 5 ends 3 hours into the period.
  CHECK(ledger.deadline_end(0, kDay * 3) == kDay * 3 + Time::hours(3));
  CHECK(ledger.deadline_end(1, Time{}) == kDay);
}

TEST_CASE("models::ProofLedger: a missed proof is a new fault, charged only from the next period",
          "[unit]") {
  ProofLedger ledger(ProofSpec{});
  ledger.open(0, 9, Time{});
  const std::vector<std::uint8_t> missed{0}, proven{1};
  ProofEvents ev = ledger.close_period(kDay * 2, missed);
  REQUIRE(ev.new_faults.size() == 1);
  CHECK(ev.new_faults[0].unit == 0);
  CHECK(ev.new_faults[0].at == kDay * 2 + Time::hours(5));  // end of deadline 9
  CHECK(ev.continued_faults.empty());
  CHECK(ledger.state(0) == UnitProof::faulty);
  CHECK(ledger.faulty_since(0) == kDay * 2 + Time::hours(5));

  // Still missing: a continued fault (FF due).
  ev = ledger.close_period(kDay * 3, missed);
  CHECK(ev.new_faults.empty());
  CHECK(ev.continued_faults == std::vector<std::uint32_t>{0});

  // A proof without a declared recovery does not end the fault.
  ev = ledger.close_period(kDay * 4, proven);
  CHECK(ev.continued_faults == std::vector<std::uint32_t>{0});
  CHECK(ledger.state(0) == UnitProof::faulty);

  // A declared recovery that fails is cancelled and charged.
  ledger.declare_recovery(0);
  ev = ledger.close_period(kDay * 5, missed);
  CHECK(ev.continued_faults == std::vector<std::uint32_t>{0});
  CHECK_FALSE(ledger.recovery_declared(0));

  // Declared and proven: recovered, nothing charged.
  ledger.declare_recovery(0);
  ev = ledger.close_period(kDay * 6, proven);
  CHECK(ev.recoveries == std::vector<std::uint32_t>{0});
  CHECK(ev.continued_faults.empty());
  CHECK(ledger.state(0) == UnitProof::active);
  CHECK(ledger.active() == 1);
  CHECK(ledger.faulty() == 0);
}

TEST_CASE("models::ProofLedger: a unit faulty for 42 days is terminated after 41 charged periods",
          "[unit]") {
  ProofLedger ledger(ProofSpec{});  // terminate_after = 42 d
  ledger.open(0, 0, Time{});
  const std::vector<std::uint8_t> missed{0};
  int detected_at = -1, charged = 0, terminated_at = -1;
  for (int k = 0; k < 60 && terminated_at < 0; ++k) {
    const ProofEvents ev = ledger.close_period(kDay * k, missed);
    if (!ev.new_faults.empty()) detected_at = k;
    charged += static_cast<int>(ev.continued_faults.size());
    if (!ev.terminations.empty()) terminated_at = k;
  }
  CHECK(detected_at == 0);
  CHECK(terminated_at == 42);
  CHECK(charged == 41);
  CHECK(ledger.state(0) == UnitProof::terminated);
  CHECK(ledger.faulty() == 0);
  // A terminated unit is no longer judged; closing frees the slot for a new unit.
  CHECK(ledger.close_period(kDay * 43, missed).continued_faults.empty());
  ledger.close(0);
  CHECK(ledger.state(0) == UnitProof::vacant);
  ledger.open(0, 1, kDay * 44);
  CHECK(ledger.state(0) == UnitProof::active);
}

TEST_CASE("models::ProofLedger: a unit opened after its deadline is judged from the next period",
          "[unit]") {
  ProofLedger ledger(ProofSpec{});
  ledger.open(0, 3, Time::hours(10));   // deadline 3 ends at 02:00, before it was opened
  ledger.open(1, 40, Time::hours(10));  // deadline 40 ends at 20:30
  CHECK_FALSE(ledger.judged(0, Time{}));
  CHECK(ledger.judged(1, Time{}));
  const std::vector<std::uint8_t> missed{0, 0};
  ProofEvents ev = ledger.close_period(Time{}, missed);
  REQUIRE(ev.new_faults.size() == 1);
  CHECK(ev.new_faults[0].unit == 1);
  ev = ledger.close_period(kDay, missed);
  REQUIRE(ev.new_faults.size() == 1);
  CHECK(ev.new_faults[0].unit == 0);
}

TEST_CASE("models::ProofLedger: refuses bad specs and misuse", "[unit]") {
  ProofSpec odd;
  odd.deadlines = 7;  // a day is not a whole number of microseconds in 7 parts
  CHECK_THROWS_AS(ProofLedger(odd), std::invalid_argument);
  ProofSpec quick;
  quick.terminate_after = Time::hours(1);
  CHECK_THROWS_AS(ProofLedger(quick), std::invalid_argument);
  ProofLedger ledger(ProofSpec{});
  CHECK_THROWS_AS(ledger.open(0, 48, Time{}), std::invalid_argument);
  ledger.open(0, 0, Time{});
  CHECK_THROWS_AS(ledger.open(0, 0, Time{}), std::logic_error);
  CHECK_THROWS_AS(ledger.declare_recovery(0), std::logic_error);
  CHECK_THROWS_AS(ledger.close_period(Time{}, std::vector<std::uint8_t>{}), std::invalid_argument);
}

TEST_CASE("models::read_proof_spec: reads its keys and names a bad one", "[unit]") {
  ProofSpec p;
  REQUIRE(read_problems("storage: {proofs: {period: 12h, deadlines: 24, terminate_after: 14d, "
                        "proof_deadline: 10min}}\n",
                        &p)
              .empty());
  CHECK(p.period == Time::hours(12));
  CHECK(p.deadlines == 24);
  CHECK(p.window() == Time::minutes(30));
  CHECK(p.terminate_after == Time::days(14));
  CHECK(p.proof_deadline == Time::minutes(10));
  CHECK(test_support::names_key(read_problems("storage: {proofs: {deadlines: 7}}\n"),
                                "storage.proofs.deadlines"));
  CHECK(test_support::names_key(read_problems("storage: {proofs: {terminate_after: 1h}}\n"),
                                "storage.proofs.terminate_after"));
  CHECK(test_support::names_key(read_problems("storage: {proofs: {dispute_probability: 2}}\n"),
                                "storage.proofs.dispute_probability"));
}
