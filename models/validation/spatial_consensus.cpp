#include "models/validation/spatial_consensus.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string_view>

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

#include "models/validation/robust_stats.hpp"

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using Point = bg::model::point<double, 2, bg::cs::cartesian>;
using Entry = std::pair<Point, std::uint32_t>;

constexpr std::uint32_t kNoOwner = std::numeric_limits<std::uint32_t>::max();

}  // namespace

SpatialConsensus::SpatialConsensus(const ConsensusSpec& spec, std::span<const double> x_km,
                                   std::span<const double> y_km)
    : spec_(spec), sensors_(x_km.size()), stride_(static_cast<std::size_t>(spec.neighbours)) {
  if (x_km.size() != y_km.size()) throw std::invalid_argument("SpatialConsensus: x/y sizes");
  if (spec.neighbours < 1 || spec.neighbours > 255) {
    throw std::invalid_argument("SpatialConsensus: neighbours must be in [1, 255]");
  }
  if (spec.window <= sim::Time{}) throw std::invalid_argument("SpatialConsensus: window <= 0");
  if (spec.iterations < 1) throw std::invalid_argument("SpatialConsensus: iterations < 1");
  if (!(spec.suspect_weight >= 0.0 && spec.suspect_weight <= 1.0)) {
    throw std::invalid_argument("SpatialConsensus: suspect_weight must be in [0, 1]");
  }
  std::vector<Entry> entries;
  entries.reserve(sensors_);
  for (std::size_t i = 0; i < sensors_; ++i) {
    entries.emplace_back(Point(x_km[i], y_km[i]), static_cast<std::uint32_t>(i));
  }
  const bgi::rtree<Entry, bgi::rstar<16>> tree(entries.begin(), entries.end());  // bulk-loaded

  neighbours_.assign(sensors_ * stride_, 0);
  neighbour_count_.assign(sensors_, 0);
  std::vector<Entry> found;
  for (std::size_t i = 0; i < sensors_; ++i) {
    found.clear();
    // k + 1 nearest, because the sensor itself is among them.
    tree.query(bgi::nearest(entries[i].first, static_cast<unsigned>(stride_ + 1)),
               std::back_inserter(found));
    std::vector<std::pair<double, std::uint32_t>> by_distance;
    for (const Entry& e : found) {
      if (e.second == i) continue;
      const double d = bg::distance(e.first, entries[i].first);
      if (d <= spec.max_distance_km) by_distance.emplace_back(d, e.second);
    }
    std::sort(by_distance.begin(), by_distance.end());  // ties by id: deterministic
    const std::size_t n = std::min(by_distance.size(), stride_);
    for (std::size_t j = 0; j < n; ++j)
      neighbours_[i * stride_ + j] = by_distance[j].second;
    neighbour_count_[i] = static_cast<std::uint8_t>(n);
  }

  if (spec.method != ConsensusMethod::kriging) return;
  x_km_.assign(x_km.begin(), x_km.end());  // fresh solves need the neighbours' positions
  y_km_.assign(y_km.begin(), y_km.end());
  kriging_weight_.assign(sensors_ * stride_, 0.0);
  kriging_variance_c2_.assign(sensors_, std::numeric_limits<double>::infinity());
  const OrdinaryKriging check_model(spec.covariance);  // throws on a bad model, outside OpenMP
  const auto n = static_cast<std::int64_t>(sensors_);
#pragma omp parallel
  {
    OrdinaryKriging solver(spec.covariance);
    double xs[256], ys[256];
#pragma omp for schedule(dynamic, 1024)
    for (std::int64_t ii = 0; ii < n; ++ii) {
      const auto i = static_cast<std::size_t>(ii);
      const auto nbs = neighbours_of(static_cast<std::uint32_t>(i));
      for (std::size_t j = 0; j < nbs.size(); ++j) {
        xs[j] = x_km_[nbs[j]];
        ys[j] = y_km_[nbs[j]];
      }
      kriging_variance_c2_[i] =
          solver.solve(x_km_[i], y_km_[i], std::span<const double>(xs, nbs.size()),
                       std::span<const double>(ys, nbs.size()), {},
                       std::span<double>(kriging_weight_.data() + i * stride_, nbs.size()));
    }
  }
}

SpatialConsensus::Judgement SpatialConsensus::judge(const Submission& s, std::size_t row,
                                                    std::span<const double> table,
                                                    std::span<const std::uint8_t> suspect,
                                                    OrdinaryKriging* solver, double& z) const {
  z = 0.0;
  const auto nbs = neighbours_of(s.sensor);
  const bool kriging = spec_.method == ConsensusMethod::kriging;
  const double suspect_trust = kriging ? spec_.suspect_weight : 0.0;
  double values[256], xs[256], ys[256], trust[256];
  std::size_t count = 0, trusted = 0;
  bool any_suspect = false;
  for (std::uint32_t nb : nbs) {
    const double v = table[row + nb];
    if (std::isnan(v)) continue;
    const bool doubtful = !suspect.empty() && suspect[row + nb] != 0;
    if (doubtful && suspect_trust <= 0.0) continue;
    any_suspect = any_suspect || doubtful;
    trusted += doubtful ? 0 : 1;
    if (kriging) {
      xs[count] = x_km_[nb];
      ys[count] = y_km_[nb];
      trust[count] = doubtful ? suspect_trust : 1.0;
    }
    values[count++] = v;
  }
  if (trusted < static_cast<std::size_t>(spec_.min_neighbours)) return Judgement::unverified;

  double centre_c = 0.0, spread_c = 0.0;
  if (!kriging) {
    const RobustSummary r = robust_summary_in_place(std::span<double>(values, count));
    centre_c = r.median;
    spread_c = kMadToSd * r.mad;
  } else {
    double variance_c2 = 0.0;
    if (count == nbs.size() && !any_suspect) {
      // Everyone reported and is trusted: the weights solved at construction apply.
      const double* w = kriging_weight_.data() + std::size_t{s.sensor} * stride_;
      for (std::size_t j = 0; j < count; ++j)
        centre_c += w[j] * values[j];
      variance_c2 = kriging_variance_c2_[s.sensor];
    } else {
      double weights[256];
      variance_c2 = solver->solve(
          x_km_[s.sensor], y_km_[s.sensor], std::span<const double>(xs, count),
          std::span<const double>(ys, count),
          any_suspect ? std::span<const double>(trust, count) : std::span<const double>{},
          std::span<double>(weights, count));
      for (std::size_t j = 0; j < count; ++j)
        centre_c += weights[j] * values[j];
    }
    spread_c = std::sqrt(variance_c2 + spec_.covariance.nugget_c2);
  }
  z = std::abs(s.value_c - centre_c) / std::max(spread_c, spec_.mad_floor_c);
  return z > spec_.z_max ? Judgement::outlier : Judgement::consistent;
}

std::int64_t SpatialConsensus::check(std::span<const Submission> submissions,
                                     std::span<Verdict> verdicts, sim::Time epoch_start,
                                     sim::Time epoch_length) const {
  if (verdicts.size() != submissions.size()) {
    throw std::invalid_argument("SpatialConsensus: one verdict per submission");
  }
  if (submissions.size() >= kNoOwner) throw std::length_error("SpatialConsensus: too many");
  const auto windows =
      static_cast<std::size_t>((epoch_length + spec_.window - sim::Time::micros(1)) / spec_.window);
  // The value each sensor reported in each window (the latest one, if several); NaN if none.
  // owner is the submission that value came from: only it can make the slot a suspect.
  constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> table(windows * sensors_, kNone);
  std::vector<std::uint32_t> owner(windows * sensors_, kNoOwner);
  std::vector<std::size_t> slot(submissions.size(), 0);
  for (std::size_t i = 0; i < submissions.size(); ++i) {
    const Submission& s = submissions[i];
    const sim::Time offset = s.taken - epoch_start;
    const auto w =
        offset < sim::Time{}
            ? 0
            : std::min<std::size_t>(static_cast<std::size_t>(offset / spec_.window), windows - 1);
    slot[i] = w * sensors_ + s.sensor;
    if (!is_accepted(verdicts[i])) continue;
    const std::uint32_t held = owner[slot[i]];
    if (held == kNoOwner || s.taken >= submissions[held].taken) {
      table[slot[i]] = s.value_c;
      owner[slot[i]] = static_cast<std::uint32_t>(i);
    }
  }

  // Rounds of judging. Round r reads only the suspects rounds before it left, so its verdicts
  // do not depend on the order readings are judged in. After a round, a reading becomes a
  // suspect (for the rest of the epoch) when it is an outlier and its z is the largest among the
  // outliers in its neighbourhood: a liar's honest neighbours are outliers too while the liar
  // pulls their consensus, so distrusting every outlier at once can drop a whole neighbourhood
  // and flip back and forth; taking the worst first, as Lu, Chen & Kou (2003) do one reading
  // at a time, converges. Only readings with a neighbour that just became a suspect are judged
  // again: the others would get the same answer.
  const auto n = static_cast<std::int64_t>(submissions.size());
  std::vector<Judgement> judged(submissions.size(), Judgement::none);
  std::vector<double> z(submissions.size(), 0.0);
  // A single round needs no suspects: leave them empty rather than touch windows x sensors bytes.
  const std::size_t flags = spec_.iterations > 1 ? windows * sensors_ : 0;
  std::vector<std::uint8_t> suspect(flags, 0), fresh(flags, 0);
  std::vector<std::uint8_t> due(submissions.size(), 0);
  for (std::size_t i = 0; i < submissions.size(); ++i)
    due[i] = is_accepted(verdicts[i]) ? 1 : 0;
  for (int round = 0; round < spec_.iterations; ++round) {
#pragma omp parallel
    {
      std::optional<OrdinaryKriging> solver;
      if (spec_.method == ConsensusMethod::kriging) solver.emplace(spec_.covariance);
#pragma omp for schedule(static)
      for (std::int64_t ii = 0; ii < n; ++ii) {
        const auto i = static_cast<std::size_t>(ii);
        if (!due[i]) continue;
        const Submission& s = submissions[i];
        judged[i] = judge(s, slot[i] - s.sensor, table, suspect, solver ? &*solver : nullptr, z[i]);
      }
    }
    if (round + 1 == spec_.iterations) break;

    // New suspects: slot owners judged outliers whose z beats every other outlier (not yet a
    // suspect) among their neighbours; ties go to the lower sensor id.
    std::int64_t added = 0;
    std::fill(fresh.begin(), fresh.end(), 0);
#pragma omp parallel for schedule(static) reduction(+ : added)
    for (std::int64_t ii = 0; ii < n; ++ii) {
      const auto i = static_cast<std::size_t>(ii);
      // Only a slot's owner may write its flag, so the writes never collide.
      if (judged[i] != Judgement::outlier || owner[slot[i]] != ii || suspect[slot[i]]) continue;
      const std::uint32_t sensor = submissions[i].sensor;
      const std::size_t row = slot[i] - sensor;
      bool worst = true;
      for (std::uint32_t nb : neighbours_of(sensor)) {
        const std::uint32_t o = owner[row + nb];
        if (o == kNoOwner || judged[o] != Judgement::outlier || suspect[row + nb]) continue;
        if (z[o] > z[i] || (z[o] == z[i] && nb < sensor)) {
          worst = false;
          break;
        }
      }
      if (worst) {
        fresh[slot[i]] = 1;
        ++added;
      }
    }
    if (added == 0) break;  // the next round would repeat this one
#pragma omp parallel for schedule(static)
    for (std::int64_t ii = 0; ii < n; ++ii) {
      const auto i = static_cast<std::size_t>(ii);
      due[i] = 0;
      if (judged[i] == Judgement::none) continue;
      const std::size_t row = slot[i] - submissions[i].sensor;
      for (std::uint32_t nb : neighbours_of(submissions[i].sensor)) {
        if (fresh[row + nb]) {
          due[i] = 1;
          break;
        }
      }
    }
    for (std::size_t i = 0; i < submissions.size(); ++i) {
      if (fresh[slot[i]]) suspect[slot[i]] = 1;
    }
  }

  std::int64_t unverified = 0;
  for (std::size_t i = 0; i < submissions.size(); ++i) {
    if (judged[i] == Judgement::outlier) verdicts[i] = Verdict::outlier;
    if (judged[i] == Judgement::unverified) ++unverified;
  }
  return unverified;
}

ConsensusSpec read_consensus_spec(Section c) {
  ConsensusSpec v;
  static constexpr std::string_view kMethods[] = {"median_mad", "kriging"};
  static constexpr std::string_view kCovariances[] = {"exponential", "squared_exponential"};
  v.method = c.choice("method", "median_mad", kMethods,
                      "compare with the neighbours' median and MAD, or with their ordinary-"
                      "kriging estimate and its variance (kriging is not robust alone: give it "
                      "iterations of 2 or more)") == "kriging"
                 ? ConsensusMethod::kriging
                 : ConsensusMethod::median_mad;
  v.neighbours = static_cast<int>(c.integer("neighbours", v.neighbours, Range::between(1.0, 255.0),
                                            "nearest sensors compared"));
  v.max_distance_km = c.number("max_distance_km", v.max_distance_km, "km", Range::above(0.0),
                               "farthest neighbour considered");
  v.z_max = c.number("z_max", v.z_max, "", Range::above(0.0),
                     "z-score above which a reading is rejected");
  v.min_neighbours =
      static_cast<int>(c.integer("min_neighbours", v.min_neighbours, Range::between(1.0, 255.0),
                                 "fewest trusted neighbour readings needed to judge"));
  v.mad_floor_c = c.number("mad_floor_c", v.mad_floor_c, "degC", Range::above(0.0),
                           "smallest spread assumed among neighbours (either method)");
  v.window =
      c.duration("window", v.window, Time::seconds(1), "readings in the same window are compared");
  v.iterations = static_cast<int>(
      c.integer("iterations", v.iterations, Range::between(1.0, 100.0),
                "rounds of judging; each distrusts the outliers of the round before"));
  v.suspect_weight = c.number("suspect_weight", v.suspect_weight, "", Range::between(0.0, 1.0),
                              "kriging: trust in a neighbour judged an outlier in the round "
                              "before (0 leaves it out)");
  v.covariance.kind = c.choice("covariance", name_of(v.covariance.kind), kCovariances,
                               "kriging: shape of the field's spatial covariance") == "exponential"
                          ? CovarianceKind::exponential
                          : CovarianceKind::squared_exponential;
  v.covariance.sill_c2 = c.number("sill_c2", v.covariance.sill_c2, "degC^2", Range::above(0.0),
                                  "kriging: variance of the field about its local mean");
  v.covariance.range_km = c.number("range_km", v.covariance.range_km, "km", Range::above(0.0),
                                   "kriging: correlation length of the field");
  v.covariance.nugget_c2 =
      c.number("nugget_c2", v.covariance.nugget_c2, "degC^2", Range::at_least(0.0),
               "kriging: variance of one reading about the field (noise, timing)");
  if (v.method == ConsensusMethod::median_mad && v.suspect_weight > 0.0) {
    c.problem("suspect_weight", "applies to method kriging only (the median leaves suspects out)");
  }
  c.finish();
  return v;
}

}  // namespace models
