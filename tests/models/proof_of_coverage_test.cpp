#include "models/validation/proof_of_coverage.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <vector>

#include <catch2/catch.hpp>

#include "models/validation/radio.hpp"

using models::Beacon;
using models::BeaconVerdict;
using models::PocResult;
using models::PocSpec;
using models::ProofOfCoverage;
using models::WitnessReport;
using models::WitnessVerdict;
using sim::Time;
using V = WitnessVerdict;

namespace {

constexpr double kFrequencyHz = 868.1e6;
constexpr std::uint64_t kPayload = 0xbeac07;

/// Hotspot 0 beacons; 1 and 2 sit 1 km away; 3 is 100 m from 0; 4 is 150 km away; 5 and 6 are
/// helpers 5 km away; 7..9 are unused; 10..29 sit on a 2 km circle around 0.
struct Net {
  std::vector<double> x{0.0, 1.0, 0.0, 0.1, 150.0, -5.0, 0.0, 9, 9, 9};
  std::vector<double> y{0.0, 0.0, 1.0, 0.0, 0.0, 0.0, -5.0, 9, 9, 9};
  Net() {
    for (int k = 0; k < 20; ++k) {
      const double a = 2.0 * std::numbers::pi * k / 20.0;
      x.push_back(2.0 * std::cos(a));
      y.push_back(2.0 * std::sin(a));
    }
  }
};

Beacon beacon_of(std::uint32_t beaconer, Time received) {
  return Beacon{beaconer, received - Time::seconds(10), received, kPayload, kFrequencyHz, 27.0, 30};
}

/// A report that passes every physical check at 0.3–3 km: −100 dBm is far below free space.
WitnessReport heard_by(std::uint32_t witness, Time received) {
  return WitnessReport{witness, received, kPayload, kFrequencyHz, -100.0, 30};
}

/// Gives `hotspot` a beacon that counts for reciprocity at time t, heard by `helper`.
void prime(ProofOfCoverage& poc, std::uint32_t hotspot, std::uint32_t helper, Time t) {
  const std::array<WitnessReport, 1> w{heard_by(helper, t + Time::millis(200))};
  const PocResult r = poc.verify(beacon_of(hotspot, t), w);
  REQUIRE(r.beacon == BeaconVerdict::valid);
  REQUIRE((r.witnesses[0] == WitnessVerdict::valid ||
           r.witnesses[0] == WitnessVerdict::no_reciprocity));
}

/// A network where hotspots 1 and 2 have beaconed (at 1 h); hotspot 0 beacons at 2 h.
ProofOfCoverage primed(const Net& net, PocSpec spec = {}) {
  ProofOfCoverage poc(spec, net.x, net.y);
  prime(poc, 1, 5, Time::hours(1));
  prime(poc, 2, 6, Time::hours(1) + Time::seconds(1));
  return poc;
}

const Time kT = Time::hours(2);

struct ReadResult {
  PocSpec spec;
  std::vector<sim::config::Problem> problems;
};

ReadResult read_spec(const char* yaml) {
  using namespace sim::config;
  const Document doc = Document::load_string(yaml, "c.yaml");
  Reader r(doc);
  ReadResult out{models::read_poc_spec(Section::root(r, YAML::Node(YAML::NodeType::Map))), {}};
  out.problems = r.problems();
  return out;
}

V judge_one(ProofOfCoverage& poc, const WitnessReport& w) {
  const std::array<WitnessReport, 1> ws{w};
  return poc.verify(beacon_of(0, kT), ws).witnesses.at(0);
}

}  // namespace

TEST_CASE("models::radio: expected RSSI matches Helium's test_calc_expected_rssi", "[unit]") {
  // helium/oracles iot_verifier poc.rs: 12 dBm, gains 81 and 83 ddBi, 508 m, 867 900 024 Hz.
  CHECK(models::radio::expected_rssi_dbm(12.0, 81, 83, 508.0, 867'900'024.0) ==
        Approx(-57.334232963418515).margin(1e-9));
}

TEST_CASE("models::ProofOfCoverage: HIP-15 units reproduce Helium's table for 1 to 15 witnesses",
          "[unit]") {
  // helium/oracles iot_verifier runner.rs reward_unit_calculations (HIP-15, 4 decimals).
  const std::array<double, 15> beacon{.25,    .5,     .75,    1,      1.2,    1.36,   1.488, 1.5904,
                                      1.6723, 1.7379, 1.7903, 1.8322, 1.8658, 1.8926, 1.9141};
  const std::array<double, 15> witness{1,     1,     1,     1,     .76,   .6067, .5017, .4262,
                                       .3697, .3262, .2918, .2640, .2411, .2220, .2057};
  for (int w = 1; w <= 15; ++w) {
    INFO("witnesses " << w);
    CHECK(models::beaconer_reward_units(w, 4, 0.8) == beacon[w - 1]);
    CHECK(models::witness_reward_units(w, 4, 0.8) == witness[w - 1]);
  }
  CHECK(models::beaconer_reward_units(0, 4, 0.8) == 0.0);
  CHECK(models::witness_reward_units(0, 4, 0.8) == 0.0);
}

TEST_CASE("models::ProofOfCoverage: from N witnesses on a beacon shares N + 1 units", "[unit]") {
  for (int n : {2, 4, 6}) {
    for (int w = n; w <= 200; ++w) {
      const double total =
          models::beaconer_reward_units(w, n, 0.8) + w * models::witness_reward_units(w, n, 0.8);
      INFO("N " << n << ", witnesses " << w);
      CHECK(std::abs(total - (n + 1)) <= 0.5e-4 * (w + 1));  // each term rounded to 4 decimals
    }
  }
}

TEST_CASE("models::ProofOfCoverage: a valid beacon heard by one witness earns 1/N and 1 unit",
          "[unit]") {
  const Net net;
  ProofOfCoverage poc = primed(net);
  const std::array<WitnessReport, 1> w{heard_by(1, kT + Time::millis(100))};
  const PocResult r = poc.verify(beacon_of(0, kT), w);
  CHECK(r.beacon == BeaconVerdict::valid);
  CHECK(r.witnesses == std::vector<V>{V::valid});
  CHECK(r.selected == 1);
  CHECK(r.beaconer_units == 0.25);
  CHECK(r.units_per_witness == 1.0);
}

TEST_CASE("models::ProofOfCoverage: each witness check rejects its minimal case", "[unit]") {
  const Net net;
  const Time on_time = kT + Time::millis(100);
  const auto with = [&](auto change) {
    WitnessReport w = heard_by(1, on_time);
    change(w);
    return w;
  };
  ProofOfCoverage a = primed(net);
  a.deny(1);
  CHECK(judge_one(a, heard_by(1, on_time)) == V::denied);
  ProofOfCoverage b = primed(net);
  b.deny_edge(1, 0);  // undirected: also denies 1 witnessing 0
  CHECK(judge_one(b, heard_by(1, on_time)) == V::denied);
  ProofOfCoverage c = primed(net);
  CHECK(judge_one(c, heard_by(0, on_time)) == V::self_witness);
  ProofOfCoverage d = primed(net);  // entropy_start = kT − 10 s, lifespan 180 s
  CHECK(judge_one(d, heard_by(1, kT + Time::seconds(170) + Time::micros(1))) == V::entropy_window);
  ProofOfCoverage e = primed(net);
  CHECK(judge_one(e, heard_by(1, kT + Time::millis(4001))) == V::too_late);
  ProofOfCoverage f = primed(net);
  CHECK(judge_one(f, with([](WitnessReport& w) { w.payload ^= 1; })) == V::payload);
  ProofOfCoverage g = primed(net);
  CHECK(judge_one(g, with([](WitnessReport& w) { w.frequency_hz += 100'001; })) == V::frequency);
  ProofOfCoverage h = primed(net);
  CHECK(judge_one(h, heard_by(3, on_time)) == V::too_close);
  ProofOfCoverage i = primed(net);
  CHECK(judge_one(i, heard_by(4, on_time)) == V::too_far);
  ProofOfCoverage j = primed(net);  // free space allows about −58.2 dBm at 1 km
  CHECK(judge_one(j, with([](WitnessReport& w) { w.signal_dbm = -58.0; })) == V::rssi_too_strong);
  ProofOfCoverage k(PocSpec{}, net.x, net.y);  // 1 never beaconed
  CHECK(judge_one(k, heard_by(1, on_time)) == V::no_reciprocity);
  CHECK(models::name_of(V::rssi_too_strong) == "rssi_too_strong");
  CHECK(models::name_of(BeaconVerdict::too_frequent) == "too_frequent");

  // The limits themselves pass.
  ProofOfCoverage ok1 = primed(net);
  CHECK(judge_one(ok1, heard_by(1, kT + Time::millis(4000))) == V::valid);
  ProofOfCoverage ok2 = primed(net);
  CHECK(judge_one(ok2, with([](WitnessReport& w) { w.frequency_hz -= 100'000; })) == V::valid);
  ProofOfCoverage ok3 = primed(net);
  CHECK(judge_one(ok3, with([](WitnessReport& w) { w.signal_dbm = -58.3; })) == V::valid);
}

TEST_CASE("models::ProofOfCoverage: the first failing check in Helium's order names the verdict",
          "[unit]") {
  const Net net;
  ProofOfCoverage poc = primed(net);
  WitnessReport w = heard_by(3, kT + Time::millis(5000));  // too late, too close, too strong
  w.payload ^= 1;
  w.signal_dbm = 0.0;
  WitnessReport x = heard_by(4, kT + Time::millis(100));  // wrong frequency and too far
  x.frequency_hz += 1e6;
  WitnessReport y = heard_by(1, kT + Time::millis(100));  // a duplicate of z, received later
  WitnessReport z = heard_by(1, kT + Time::millis(50));
  const std::array<WitnessReport, 4> ws{w, x, y, z};
  const PocResult r = poc.verify(beacon_of(0, kT), ws);
  CHECK(r.witnesses == std::vector<V>{V::too_late, V::frequency, V::duplicate, V::valid});
}

TEST_CASE("models::ProofOfCoverage: lag counts from the first witness when it beat the beacon",
          "[unit]") {
  const Net net;
  ProofOfCoverage poc = primed(net);
  const std::array<WitnessReport, 2> ws{heard_by(1, kT - Time::millis(1000)),
                                        heard_by(2, kT + Time::millis(501))};
  const PocResult r = poc.verify(beacon_of(0, kT), ws);
  CHECK(r.witnesses == std::vector<V>{V::valid, V::too_late});  // 1501 ms after the first
}

TEST_CASE("models::ProofOfCoverage: an invalid beacon invalidates its witnesses and earns nothing",
          "[unit]") {
  const Net net;
  ProofOfCoverage poc = primed(net);
  poc.deny(0);
  const std::array<WitnessReport, 2> ws{heard_by(1, kT + Time::millis(10)),
                                        heard_by(2, kT + Time::millis(20))};
  const PocResult r = poc.verify(beacon_of(0, kT), ws);
  CHECK(r.beacon == BeaconVerdict::denied);
  CHECK(r.witnesses == std::vector<V>{V::beacon_invalid, V::beacon_invalid});
  CHECK(r.selected == 0);
  CHECK(r.beaconer_units == 0.0);
  CHECK(r.units_per_witness == 0.0);
  Beacon stale = beacon_of(1, kT + Time::hours(6));
  stale.entropy_start = stale.received - Time::seconds(181);
  CHECK(poc.verify(stale, {}).beacon == BeaconVerdict::entropy_window);
}

TEST_CASE("models::ProofOfCoverage: the first 14 witnesses by receipt are rewarded", "[unit]") {
  const Net net;
  ProofOfCoverage poc(PocSpec{}, net.x, net.y);
  for (std::uint32_t k = 10; k < 30; ++k)
    prime(poc, k, 5, Time::hours(1) + Time::seconds(k));
  // Witness k arrives after (7k mod 20)·10 ms, a permutation, except that 22 ties with 19 at
  // 130 ms, right on the cut. Reports come in descending id, so the tie is broken by id, not
  // by input position.
  std::vector<WitnessReport> ws;
  for (std::uint32_t k = 30; k-- > 10;) {
    const int arrival_ms = k == 22 ? 130 : int(k * 7 % 20) * 10;
    ws.push_back(heard_by(k, kT + Time::millis(arrival_ms)));
  }
  const PocResult r = poc.verify(beacon_of(0, kT), ws);
  REQUIRE(r.selected == 14);
  CHECK(r.beaconer_units == 1.8926);
  CHECK(r.units_per_witness == 0.2220);
  const std::vector<std::uint32_t> late{22, 25, 28, 11, 14, 17};  // arrive at 130 ms and later
  for (std::size_t i = 0; i < ws.size(); ++i) {
    const bool is_late = std::find(late.begin(), late.end(), ws[i].witness) != late.end();
    INFO("witness " << ws[i].witness);
    CHECK(r.witnesses[i] == (is_late ? V::not_selected : V::valid));
  }
}

TEST_CASE("models::ProofOfCoverage: a hotspot beacons at most once per 6 h bucket", "[unit]") {
  const Net net;
  ProofOfCoverage poc = primed(net);
  const auto beacon_at = [&](Time t, bool heard) {
    const std::array<WitnessReport, 1> w{heard_by(1, t + Time::millis(100))};
    return poc
        .verify(beacon_of(0, t),
                heard ? std::span<const WitnessReport>(w) : std::span<const WitnessReport>())
        .beacon;
  };
  CHECK(beacon_at(Time::hours(2), true) == BeaconVerdict::valid);
  CHECK(beacon_at(Time::hours(5) + Time::minutes(59), true) == BeaconVerdict::too_frequent);
  CHECK(beacon_at(Time::hours(6), true) == BeaconVerdict::valid);
  // A beacon nobody reported does not use up its bucket (poc.rs).
  CHECK(beacon_at(Time::hours(12), false) == BeaconVerdict::valid);
  CHECK(beacon_at(Time::hours(13), true) == BeaconVerdict::valid);
  CHECK(beacon_at(Time::hours(14), true) == BeaconVerdict::too_frequent);
}

TEST_CASE("models::ProofOfCoverage: reciprocity needs a heard valid beacon within 48 h", "[unit]") {
  const Net net;
  ProofOfCoverage poc(PocSpec{}, net.x, net.y);
  const Time t0 = Time::hours(1);
  // Hotspot 1's first beacon counts although its only witness (5) lacks reciprocity itself.
  const std::array<WitnessReport, 1> by5{heard_by(5, t0 + Time::millis(100))};
  const PocResult first = poc.verify(beacon_of(1, t0), by5);
  CHECK(first.witnesses == std::vector<V>{V::no_reciprocity});
  const auto witness_1_for = [&](std::uint32_t beaconer, Time t) {
    const std::array<WitnessReport, 1> w{heard_by(1, t + Time::millis(100))};
    return poc.verify(beacon_of(beaconer, t), w).witnesses.at(0);
  };
  const Time edge = t0 + Time::hours(48) - Time::millis(100);  // the report arrives 100 ms later
  CHECK(witness_1_for(0, edge - Time::micros(1)) == V::valid);
  CHECK(witness_1_for(2, edge) == V::no_reciprocity);

  // 1's reciprocity lapsed at 49 h. A beacon whose only report failed a regular check does
  // not renew it; one heard by a hotspot that passes them does.
  const Time t1 = Time::hours(60);
  const std::array<WitnessReport, 1> close{heard_by(0, t1 + Time::millis(100))};
  poc.relocate(0, 1.1, 0.0);
  CHECK(poc.verify(beacon_of(1, t1), close).witnesses == std::vector<V>{V::too_close});
  poc.relocate(0, 0.0, 0.0);
  CHECK(witness_1_for(0, t1 + Time::hours(6)) == V::no_reciprocity);
  const std::array<WitnessReport, 1> far5{heard_by(5, t1 + Time::hours(12) + Time::millis(100))};
  CHECK(poc.verify(beacon_of(1, t1 + Time::hours(12)), far5).witnesses ==
        std::vector<V>{V::no_reciprocity});
  CHECK(witness_1_for(0, t1 + Time::hours(18)) == V::valid);
}

TEST_CASE("models::ProofOfCoverage: deny and deny_edge reject only what they name", "[unit]") {
  const Net net;
  ProofOfCoverage poc = primed(net);
  poc.deny_edge(0, 1);
  const std::array<WitnessReport, 2> ws{heard_by(1, kT + Time::millis(10)),
                                        heard_by(2, kT + Time::millis(20))};
  const PocResult r = poc.verify(beacon_of(0, kT), ws);
  CHECK(r.witnesses == std::vector<V>{V::denied, V::valid});
  CHECK(r.beaconer_units == 0.25);
  // The edge does not stop 1 witnessing anyone else, nor 1's own beacons.
  const std::array<WitnessReport, 1> by1{heard_by(1, kT + Time::hours(6) + Time::millis(10))};
  CHECK(poc.verify(beacon_of(2, kT + Time::hours(6)), by1).witnesses == std::vector<V>{V::valid});
  poc.deny(2);
  CHECK(poc.verify(beacon_of(2, kT + Time::hours(12)), by1).beacon == BeaconVerdict::denied);
}

TEST_CASE("models::ProofOfCoverage: relocating changes the distance and RSSI checks", "[unit]") {
  const Net net;
  ProofOfCoverage poc = primed(net);
  const auto judge = [&](int bucket, double signal_dbm) {
    const Time t = kT + Time::hours(6) * bucket;
    WitnessReport w = heard_by(1, t + Time::millis(10));
    w.signal_dbm = signal_dbm;
    const std::array<WitnessReport, 1> ws{w};
    return poc.verify(beacon_of(0, t), ws).witnesses.at(0);
  };
  CHECK(judge(0, -60.0) == V::valid);  // 1 km: free space allows −58.2 dBm
  poc.relocate(1, 3.0, 0.0);           // 3 km: about −67.7 dBm
  CHECK(poc.distance_km(0, 1) == 3.0);
  CHECK(judge(1, -60.0) == V::rssi_too_strong);
  poc.relocate(1, 0.2, 0.0);
  CHECK(judge(2, -100.0) == V::too_close);
  poc.relocate(0, 200.0, 0.0);  // the beaconer moves: 199.8 km apart
  CHECK(judge(3, -100.0) == V::too_far);
}

TEST_CASE("models::ProofOfCoverage: beacons must be verified in order of receipt", "[unit]") {
  const Net net;
  ProofOfCoverage poc = primed(net);
  CHECK_THROWS_AS(poc.verify(beacon_of(0, Time::minutes(30)), {}), std::invalid_argument);
  CHECK_THROWS_AS(poc.verify(beacon_of(99, kT), {}), std::out_of_range);
}

TEST_CASE("models::ProofOfCoverage: read_poc_spec reads the keys and refuses bad intervals",
          "[unit]") {
  const ReadResult ok = read_spec("kind: helium_poc\nbeacon_interval: 4h\nmax_witnesses: 10\n");
  CHECK(ok.problems.empty());
  CHECK(ok.spec.beacon_interval == Time::hours(4));
  CHECK(ok.spec.max_witnesses == 10);
  CHECK(ok.spec.reciprocity_window == Time::hours(48));
  CHECK(ok.spec.decay_rate == 0.8);
  const ReadResult five = read_spec("beacon_interval: 5h\n");
  REQUIRE(five.problems.size() == 1);
  CHECK(five.problems[0].key == "beacon_interval");
  const ReadResult typo = read_spec("kind: helium_poc\nmax_witness: 3\n");
  REQUIRE(typo.problems.size() == 1);
  CHECK_THAT(typo.problems[0].message, Catch::Contains("did you mean \"max_witnesses\""));
  CHECK(read_spec("kind: lora_poc\n").problems.size() == 1);
  PocSpec bad;
  bad.beacon_interval = Time::hours(5);
  const Net net;
  CHECK_THROWS_AS(ProofOfCoverage(bad, net.x, net.y), std::invalid_argument);
}

TEST_CASE("models::ProofOfCoverage: verifying with prechecked verdicts gives the same results",
          "[unit]") {
  // A mixed stream of beacons: checks fail here and there, reciprocity comes and goes, and a
  // denial falls between two batches. Prechecking a batch (no history) and then verifying it in
  // order must give what verifying alone gives.
  const Net net;
  ProofOfCoverage plain(PocSpec{}, net.x, net.y), split(PocSpec{}, net.x, net.y);
  std::vector<std::pair<Beacon, std::vector<WitnessReport>>> batch;
  std::vector<V> seen;
  const auto flush = [&] {
    std::vector<std::vector<V>> pre;
    for (const auto& [b, ws] : batch)
      pre.push_back(split.precheck(b, ws));  // all at once, before any verification
    for (std::size_t k = 0; k < batch.size(); ++k) {
      const auto& [b, ws] = batch[k];
      const PocResult x = plain.verify(b, ws);
      const PocResult y = split.verify(b, ws, pre[k]);
      REQUIRE(x.beacon == y.beacon);
      REQUIRE(x.witnesses == y.witnesses);
      REQUIRE(x.beaconer_units == y.beaconer_units);
      seen.insert(seen.end(), x.witnesses.begin(), x.witnesses.end());
    }
    batch.clear();
  };
  Time t = Time::hours(1);
  for (int round = 0; round < 40; ++round, t += Time::hours(7)) {
    const auto beaconer = static_cast<std::uint32_t>(round % 3 == 0 ? 0 : 1 + round % 2);
    std::vector<WitnessReport> ws;
    for (std::uint32_t w : {0U, 1U, 2U, 3U, 5U, 6U, 11U, 12U}) {
      WitnessReport r = heard_by(w, t + Time::millis(100 + 37 * w));
      if ((static_cast<std::uint32_t>(round) + w) % 7 == 0) r.payload ^= 1;
      if ((static_cast<std::uint32_t>(round) + w) % 11 == 0) r.signal_dbm = 0.0;
      ws.push_back(r);
    }
    batch.emplace_back(beacon_of(beaconer, t), std::move(ws));
    if (round % 5 == 4) flush();
    if (round == 24) {
      plain.deny(12);
      split.deny(12);
    }
  }
  flush();
  for (V v : {V::valid, V::no_reciprocity, V::payload, V::rssi_too_strong, V::too_close,
              V::self_witness, V::denied}) {
    CHECK(std::count(seen.begin(), seen.end(), v) > 0);
  }
}
