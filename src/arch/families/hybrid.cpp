// Recurrent and linear-attention layers and the hybrids that mix them with attention.
#include <span>

#include "arch/rule.hpp"

namespace kvspec {

std::span<const ArchRule> hybrid_rules() {
  return {};
}

}  // namespace kvspec
