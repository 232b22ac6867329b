// Multimodal wrappers: the language model's config is nested (text_config); its own model_type picks the
// rule.
#include <array>

#include "arch/rule.hpp"

namespace kvspec {

namespace {

constexpr std::array kRules{
    ArchRule{.model_type = "llama4",
             .config_class = "Llama4Config",
             .source = "transformers configuration_llama4.py: text_config is a Llama4TextConfig",
             .text_model_type = "llama4_text"},
    ArchRule{.model_type = "mistral3",
             .config_class = "Mistral3Config",
             .source = "transformers configuration_mistral3.py: text_config default MistralConfig",
             .text_model_type = "mistral"},
    ArchRule{.model_type = "llava",
             .config_class = "LlavaConfig",
             .source = "transformers configuration_llava.py: text_config default LlamaConfig",
             .text_model_type = "llama"},
    ArchRule{.model_type = "llava_next",
             .config_class = "LlavaNextConfig",
             .source = "transformers configuration_llava_next.py: text_config default LlamaConfig",
             .text_model_type = "llama"},
};

}  // namespace

std::span<const ArchRule> wrapper_rules() {
  return kRules;
}

}  // namespace kvspec
