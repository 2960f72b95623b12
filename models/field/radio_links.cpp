#include "models/field/radio_links.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

namespace models {

namespace {
namespace bg = boost::geometry;
namespace bgi = boost::geometry::index;
using Point = bg::model::point<double, 2, bg::cs::cartesian>;
using Box = bg::model::box<Point>;
using Entry = std::pair<Point, std::uint32_t>;
}  // namespace

RadioLinks::RadioLinks(const RadioSpec& spec, std::span<const double> x_km,
                       std::span<const double> y_km, std::span<const double> tx_power_dbm,
                       std::span<const double> gain_dbi) {
  const std::size_t n = x_km.size();
  if (y_km.size() != n || tx_power_dbm.size() != n || gain_dbi.size() != n) {
    throw std::invalid_argument("RadioLinks: one position, power and gain per node");
  }
  std::vector<Entry> entries;
  entries.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    entries.emplace_back(Point(x_km[i], y_km[i]), static_cast<std::uint32_t>(i));
  const bgi::rtree<Entry, bgi::rstar<16>> tree(entries.begin(), entries.end());

  const double floor_dbm = spec.sensitivity_dbm - 4.0 * spec.shadowing_sd_db;
  const double r = spec.max_range_km;
  start_.assign(n + 1, 0);
  std::vector<Entry> found;
  std::vector<RadioLink> row;
  for (std::size_t i = 0; i < n; ++i) {
    found.clear();
    const Box box(Point(x_km[i] - r, y_km[i] - r), Point(x_km[i] + r, y_km[i] + r));
    tree.query(bgi::intersects(box), std::back_inserter(found));
    row.clear();
    for (const Entry& e : found) {
      const std::uint32_t j = e.second;
      if (j == i) continue;
      const double d_km = std::hypot(x_km[i] - x_km[j], y_km[i] - y_km[j]);
      if (d_km > r) continue;
      const double p =
          mean_received_dbm(spec, tx_power_dbm[i], gain_dbi[i], gain_dbi[j], d_km * 1000.0);
      if (p >= floor_dbm) row.push_back({j, static_cast<float>(p)});
    }
    // The R-tree's order depends on its packing; receivers in id order keep runs reproducible.
    std::sort(row.begin(), row.end(),
              [](const RadioLink& a, const RadioLink& b) { return a.receiver < b.receiver; });
    links_.insert(links_.end(), row.begin(), row.end());
    start_[i + 1] = links_.size();
  }
}

}  // namespace models
