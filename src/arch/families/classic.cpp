// Older and remote-code families: gpt2, gpt_neox, gpt_bigcode, falcon, bloom, mpt, dbrx, chatglm, ...
#include <span>

#include "arch/rule.hpp"

namespace kvspec {

std::span<const ArchRule> classic_rules() {
  return {};
}

}  // namespace kvspec
