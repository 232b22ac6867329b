#include "spec/gguf_arch.hpp"

#include <array>
#include <iterator>

namespace kvspec {

namespace {

constexpr std::string_view kLoad = "llama.cpp src/llama-model.cpp load_hparams (00342301)";

// Architectures whose every layer is full attention (per-layer head arrays and MLA keys still apply): their
// load_hparams blocks read no window, pattern or recurrent keys.
constexpr std::string_view kPlain[] = {
    "llama",        "deci",        "falcon",        "grok",        "gpt2",       "gptj",      "gptneox",
    "mpt",          "baichuan",    "starcoder",     "refact",      "bloom",      "stablelm",  "qwen",
    "qwen2",        "qwen2moe",    "qwen2vl",       "qwen3",       "qwen3moe",   "qwen3vl",   "qwen3vlmoe",
    "phi2",         "phimoe",      "plamo",         "codeshell",   "orion",      "internlm2", "minicpm",
    "minicpm3",     "gemma",       "starcoder2",    "xverse",      "command-r",  "dbrx",      "olmo",
    "olmoe",        "openelm",     "arctic",        "deepseek",    "deepseek2",  "plm",       "chatglm",
    "glm4",         "glm4moe",     "bitnet",        "jais",        "nemotron",   "exaone",    "granite",
    "granitemoe",   "chameleon",   "bailingmoe",    "bailingmoe2", "dots1",      "arcee",     "ernie4_5",
    "ernie4_5-moe", "hunyuan-moe", "hunyuan-dense", "smollm3",     "seed_oss",   "grovemoe",  "apertus",
    "llada",        "llada-moe",   "dream",         "mistral3",    "minimax-m2",
};

constexpr GgufArchRule kRules[] = {
    // case LLM_ARCH_LLAMA4: sliding_window == 0 in the file turns chunking off; otherwise
    // LLAMA_SWA_TYPE_CHUNKED,
    // n_swa = 8192 whatever the file says, set_swa_pattern(4) ("3 chunked - 1 full").
    {.arch = "llama4",
     .swa = GgufSwa::chunked,
     .window_rule = GgufWindowRule::unless_zero,
     .period = 4,
     .default_window = 8192,
     .window_forced = true,
     .source = kLoad},
    // case LLM_ARCH_GEMMA2: n_swa = 4096 ("default value of gemma 2") unless the file says,
    // set_swa_pattern(2).
    {.arch = "gemma2", .swa = GgufSwa::standard, .period = 2, .default_window = 4096, .source = kLoad},
    // case LLM_ARCH_GEMMA3: set_swa_pattern(6), n_swa required.
    {.arch = "gemma3", .swa = GgufSwa::standard, .period = 6, .source = kLoad},
    // case LLM_ARCH_GEMMA3N: set_swa_pattern(5), n_layer_kv_from_start = 20.
    {.arch = "gemma3n", .swa = GgufSwa::standard, .period = 5, .kv_layers_from_start = 20, .source = kLoad},
    // Gemma 4 (newer builds): per-layer bool sliding_window_pattern, key_length_swa / value_length_swa,
    // attention.shared_kv_layers (llama.cpp src/models/gemma4 load_arch_hparams).
    {.arch = "gemma4",
     .swa = GgufSwa::standard,
     .period = 0,
     .source = "llama.cpp src/models gemma4 load_arch_hparams (2026)"},
    // case LLM_ARCH_GEMMA_EMBEDDING: LLAMA_SWA_TYPE_SYMMETRIC, set_swa_pattern(6).
    {.arch = "gemma-embedding", .swa = GgufSwa::symmetric, .period = 6, .source = kLoad},
    // case LLM_ARCH_COHERE2: set_swa_pattern(4), n_swa required.
    {.arch = "cohere2", .swa = GgufSwa::standard, .period = 4, .source = kLoad},
    // case LLM_ARCH_OLMO2: windowed with set_swa_pattern(4) only when sliding_window > 0.
    {.arch = "olmo2",
     .swa = GgufSwa::standard,
     .window_rule = GgufWindowRule::if_positive,
     .period = 4,
     .source = kLoad},
    // case LLM_ARCH_EXAONE4: the 64-layer (32B) model: n_swa 4096, set_swa_pattern(4); the file may set
    // n_swa.
    {.arch = "exaone4",
     .swa = GgufSwa::standard,
     .period = 4,
     .default_window = 4096,
     .only_if_layers = 64,
     .source = kLoad},
    // case LLM_ARCH_OPENAI_MOE (gpt-oss): n_swa required, set_swa_pattern(2).
    {.arch = "gpt-oss", .swa = GgufSwa::standard, .period = 2, .source = kLoad},
    // case LLM_ARCH_SMALLTHINKER: when sliding_window > 0, n_swa = 4096 and set_swa_pattern(4, true).
    {.arch = "smallthinker",
     .swa = GgufSwa::standard,
     .window_rule = GgufWindowRule::if_positive,
     .period = 4,
     .dense_first = true,
     .default_window = 4096,
     .window_forced = true,
     .source = kLoad},
    // case LLM_ARCH_PHI3: "Phi SWA is currently disabled" (PR 13676): swa_type NONE, every layer full.
    {.arch = "phi3", .swa = GgufSwa::none, .window_rule = GgufWindowRule::ignored, .source = kLoad},
    // llm_arch_is_recurrent: every layer recurrent, no KV cache.
    {.arch = "mamba", .recurrent = GgufRecurrent::all, .source = kLoad},
    {.arch = "mamba2", .recurrent = GgufRecurrent::all, .source = kLoad},
    {.arch = "rwkv6", .recurrent = GgufRecurrent::all, .source = kLoad},
    {.arch = "rwkv6qwen2", .recurrent = GgufRecurrent::all, .source = kLoad},
    {.arch = "rwkv7", .recurrent = GgufRecurrent::all, .source = kLoad},
    {.arch = "arwkv7", .recurrent = GgufRecurrent::all, .source = kLoad},
    // Hybrids: recurrent_layer_arr[i] = n_head_kv(i) == 0.
    {.arch = "jamba", .recurrent = GgufRecurrent::kv_zero, .source = kLoad},
    {.arch = "plamo2", .recurrent = GgufRecurrent::kv_zero, .source = kLoad},
    {.arch = "granitehybrid", .recurrent = GgufRecurrent::kv_zero, .source = kLoad},
    {.arch = "lfm2", .recurrent = GgufRecurrent::kv_zero, .source = kLoad},
    {.arch = "lfm2moe", .recurrent = GgufRecurrent::kv_zero, .source = kLoad},
    {.arch = "kimi-linear", .recurrent = GgufRecurrent::kv_zero, .source = kLoad},
    // case LLM_ARCH_NEMOTRON_H: recurrent iff n_head_kv(i) == 0 && n_ff(i) == 0; n_ff > 0 layers are
    // MLP-only.
    {.arch = "nemotron_h", .recurrent = GgufRecurrent::kv_zero_ff_zero, .source = kLoad},
    {.arch = "nemotron_h_moe", .recurrent = GgufRecurrent::kv_zero_ff_zero, .source = kLoad},
    // case LLM_ARCH_QWEN3NEXT: (i + 1) % 4 != 0 ("TODO: extract the magic 4 from full_attention_interval");
    // qwen35: full_attention_interval (default 4) or attention.recurrent_layers.
    {.arch = "qwen3next", .recurrent = GgufRecurrent::interval, .default_interval = 4, .source = kLoad},
    {.arch = "qwen35", .recurrent = GgufRecurrent::interval, .default_interval = 4, .source = kLoad},
    {.arch = "qwen35moe", .recurrent = GgufRecurrent::interval, .default_interval = 4, .source = kLoad},
    // case LLM_ARCH_FALCON_H1: recurrent_layer_arr all true, and create_memory keeps attention on every
    // layer.
    {.arch = "falcon-h1", .recurrent = GgufRecurrent::every_layer_too, .source = kLoad},
    // MLA with a DSA lightning indexer (src/models/deepseek32.cpp, glm-dsa.cpp at llama.cpp 34af94cd): every
    // layer full; the indexer keys are read in from_gguf.
    {.arch = "deepseek32", .source = "llama.cpp src/models/deepseek32.cpp load_arch_hparams (34af94cd)"},
    {.arch = "glm-dsa", .source = "llama.cpp src/models/glm-dsa.cpp load_arch_hparams (34af94cd)"},
};

}  // namespace

const GgufArchRule* find_gguf_arch(std::string_view arch) {
  for (const auto& r : kRules)
    if (r.arch == arch) return &r;
  static const auto plain = [] {
    std::array<GgufArchRule, std::size(kPlain)> a{};
    for (std::size_t i = 0; i < a.size(); ++i) a[i] = GgufArchRule{.arch = kPlain[i], .source = kLoad};
    return a;
  }();
  for (const auto& r : plain)
    if (r.arch == arch) return &r;
  return nullptr;
}

}  // namespace kvspec
