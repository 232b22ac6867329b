// Multi-head latent attention (DeepSeek V2/V3, Kimi K2, GLM-5, MiniCPM3): one latent per token.
#include <span>

#include "arch/rule.hpp"

namespace kvspec {

std::span<const ArchRule> mla_rules() {
  return {};
}

}  // namespace kvspec
