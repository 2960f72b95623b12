#include "models/validation/spatial_consensus.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

namespace models {

using sim::Time;
using sim::config::Range;
using sim::config::Section;

namespace {

namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using Point = bg::model::point<double, 2, bg::cs::cartesian>;
using Entry = std::pair<Point, std::uint32_t>;

double median_in_place(std::span<double> v) {
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  const double upper = v[mid];
  if (v.size() % 2 == 1) return upper;
  const double lower = *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid));
  return 0.5 * (lower + upper);
}

}  // namespace

SpatialConsensus::SpatialConsensus(const ConsensusSpec& spec, std::span<const double> x_km,
                                   std::span<const double> y_km)
    : spec_(spec), sensors_(x_km.size()), stride_(static_cast<std::size_t>(spec.neighbours)) {
  if (x_km.size() != y_km.size()) throw std::invalid_argument("SpatialConsensus: x/y sizes");
  if (spec.neighbours < 1 || spec.neighbours > 255) {
    throw std::invalid_argument("SpatialConsensus: neighbours must be in [1, 255]");
  }
  if (spec.window <= sim::Time{}) throw std::invalid_argument("SpatialConsensus: window <= 0");
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
}

std::int64_t SpatialConsensus::check(std::span<const Submission> submissions,
                                     std::span<Verdict> verdicts, sim::Time epoch_start,
                                     sim::Time epoch_length) const {
  if (verdicts.size() != submissions.size()) {
    throw std::invalid_argument("SpatialConsensus: one verdict per submission");
  }
  const auto windows =
      static_cast<std::size_t>((epoch_length + spec_.window - sim::Time::micros(1)) / spec_.window);
  // The value each sensor reported in each window (the latest one, if several); NaN if none.
  constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> table(windows * sensors_, kNone);
  std::vector<sim::Time> taken(windows * sensors_, sim::Time{});
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
    if (std::isnan(table[slot[i]]) || s.taken >= taken[slot[i]]) {
      table[slot[i]] = s.value_c;
      taken[slot[i]] = s.taken;
    }
  }

  std::int64_t unverified = 0;
  const auto n = static_cast<std::int64_t>(submissions.size());
#pragma omp parallel for schedule(static) reduction(+ : unverified)
  for (std::int64_t ii = 0; ii < n; ++ii) {
    const auto i = static_cast<std::size_t>(ii);
    if (!is_accepted(verdicts[i])) continue;
    const Submission& s = submissions[i];
    const std::size_t row = slot[i] - s.sensor;
    double values[256];
    std::size_t count = 0;
    for (std::uint32_t nb : neighbours_of(s.sensor)) {
      const double v = table[row + nb];
      if (!std::isnan(v)) values[count++] = v;
    }
    if (count < static_cast<std::size_t>(spec_.min_neighbours)) {
      ++unverified;
      continue;
    }
    const std::span<double> vals(values, count);
    const double median = median_in_place(vals);
    for (double& v : vals)
      v = std::abs(v - median);
    const double mad = median_in_place(vals);
    const double spread = std::max(1.4826 * mad, spec_.mad_floor_c);
    if (std::abs(s.value_c - median) / spread > spec_.z_max) verdicts[i] = Verdict::outlier;
  }
  return unverified;
}

ConsensusSpec read_consensus_spec(Section c) {
  ConsensusSpec v;
  v.neighbours = static_cast<int>(c.integer("neighbours", v.neighbours, Range::between(1.0, 255.0),
                                            "nearest sensors compared"));
  v.max_distance_km = c.number("max_distance_km", v.max_distance_km, "km", Range::above(0.0),
                               "farthest neighbour considered");
  v.z_max = c.number("z_max", v.z_max, "", Range::above(0.0),
                     "robust z-score above which a reading is rejected");
  v.min_neighbours =
      static_cast<int>(c.integer("min_neighbours", v.min_neighbours, Range::between(1.0, 255.0),
                                 "fewest neighbour readings needed to judge"));
  v.mad_floor_c = c.number("mad_floor_c", v.mad_floor_c, "degC", Range::above(0.0),
                           "smallest spread assumed among neighbours");
  v.window =
      c.duration("window", v.window, Time::seconds(1), "readings in the same window are compared");
  c.finish();
  return v;
}

}  // namespace models
