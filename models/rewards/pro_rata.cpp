#include "models/rewards/pro_rata.hpp"

#include <stdexcept>

namespace models {

namespace {
__extension__ typedef __int128 i128;
}  // namespace

ProRataSplit split_pro_rata(Tokens pool, std::span<const std::int64_t> scores) {
  if (pool < 0) throw std::invalid_argument("split_pro_rata: negative pool");
  ProRataSplit out;
  out.payouts.assign(scores.size(), 0);
  i128 total = 0;
  for (std::int64_t s : scores) {
    if (s < 0) throw std::invalid_argument("split_pro_rata: negative score");
    total += s;
  }
  Tokens paid = 0;
  if (total > 0) {
    for (std::size_t i = 0; i < scores.size(); ++i) {
      out.payouts[i] = static_cast<Tokens>(i128{pool} * scores[i] / total);
      paid += out.payouts[i];
    }
  }
  out.remainder = pool - paid;
  return out;
}

}  // namespace models
