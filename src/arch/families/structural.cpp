// KV sharing across layers, cross-attention, per-layer heads (Nemotron-NAS) and encoder-decoder models.
#include <span>

#include "arch/rule.hpp"

namespace kvspec {

std::span<const ArchRule> structural_rules() {
  return {};
}

}  // namespace kvspec
