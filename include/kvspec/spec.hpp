// ModelCacheSpec: what a model's cache is made of, one LayerSpec per layer. A spec knows no runtime; the
// sizing functions (size.hpp) and runtime profiles turn it into bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kvspec/remote.hpp"
#include "kvspec/weights.hpp"

namespace kvspec {

enum class LayerKind : std::uint8_t {
  full_attention,     // K and V for every token of the context
  sliding_attention,  // K and V for the last `window` tokens
  chunked_attention,  // K and V for the current chunk of `window` tokens (Llama 4)
  mla,        // one compressed latent per token (DeepSeek MLA): head_dim_k = latent width, head_dim_v = 0
  recurrent,  // a fixed state per sequence (Mamba, linear attention): state_bytes, no per-token KV
  shared,     // reads the cache of layer `shares_with`; owns nothing
  cross_attention,  // K and V of a fixed number of encoder tokens (`fixed_tokens`), not of the context
  none,             // no attention cache at all (e.g. a no-op attention block)
};

// Which tier decided a fact: what the config states, what the weights show, or a registry rule's default.
enum class Tier : std::uint8_t { config, weights, rule };

std::string_view to_string(LayerKind kind);
std::string_view to_string(Tier tier);
std::optional<LayerKind> parse_layer_kind(std::string_view name);
// One character per layer for the layer strip: F S C M R = X N.
char strip_char(LayerKind kind);

struct LayerSpec {
  LayerKind kind = LayerKind::full_attention;
  std::int64_t num_kv_heads = 0;
  std::int64_t head_dim_k = 0;
  std::int64_t head_dim_v = 0;
  std::optional<std::int64_t> window;  // sliding window or chunk size in tokens
  std::int64_t state_bytes = 0;        // fixed per-sequence state in bytes at the model's dtype
  std::int64_t conv_state_values = 0;  // elements of the convolution state (kernel - 1 columns), per sequence
  std::int64_t recurrent_state_values = 0;  // elements of the SSM / delta-rule / WKV state, per sequence
  // The convolution's kernel width K when conv_state_values is (K - 1) columns of its channels (Mamba, Gated
  // DeltaNet, short convs); 0 when the conv state is not a kernel's columns or the kernel is unknown.
  // Runtimes that keep all K columns (transformers) re-price the conv state from it.
  std::int64_t conv_kernel = 0;
  Tier source = Tier::rule;                  // which tier decided this layer's kind
  std::optional<std::int32_t> shares_with;   // kind == shared: index of the layer whose cache it reads
  std::optional<std::int64_t> fixed_tokens;  // kind == cross_attention: tokens held whatever the context

  // Values of K plus V stored per token by this layer (0 for layers that own no per-token cache). Cannot
  // overflow once validate_for_sizing (size.hpp) accepted the layer; the sizing functions check that first.
  [[nodiscard]] bool owns_kv() const;
  [[nodiscard]] std::int64_t k_values_per_token() const { return owns_kv() ? num_kv_heads * head_dim_k : 0; }
  [[nodiscard]] std::int64_t v_values_per_token() const { return owns_kv() ? num_kv_heads * head_dim_v : 0; }

  friend bool operator==(const LayerSpec&, const LayerSpec&) = default;
};

// MLA geometry, kept so runtimes that cache the decompressed K and V (transformers) can size them.
struct MlaDims {
  std::int64_t kv_lora_rank = 0;
  std::int64_t qk_rope_head_dim = 0;
  std::int64_t qk_nope_head_dim = 0;
  std::int64_t v_head_dim = 0;
  std::int64_t num_heads = 0;
};

struct MoeSpec {
  std::int64_t num_experts = 0;
  std::int64_t experts_per_token = 0;
  std::int64_t num_shared_experts = 0;
};

struct Quantization {
  std::string method;  // "mlx", "gptq", "awq", "fp8", ... as the config names it
  std::optional<std::int64_t> bits;
  std::optional<std::int64_t> group_size;  // -1: per channel (GPTQ / AutoRound: one scale per output row)
  std::string field;                       // where it was read: "quantization" or "quantization_config"
};

struct Note {
  enum class Level : std::uint8_t { info, warning };
  Level level = Level::info;
  std::string text;
};

// Provenance of one reported fact: e.g. {"head_dim", "256", rule, "Gemma3TextConfig default head_dim = 256"}.
struct Fact {
  std::string name;
  std::string value;
  Tier tier = Tier::config;
  std::string origin;  // the field it was read from, or the rule that supplied it
};

// One layer's buffer that keeps floor(tokens / ratio) entries of `values` elements (DeepSeek-V4's compressor
// pools every `ratio` tokens into one entry).
struct PooledBuffer {
  std::int64_t ratio = 1;
  std::int64_t values = 0;
};

// A cache component outside the per-layer attention KV (e.g. DeepSeek-V3.2's indexer keys). `exact` counts
// it; each runtime profile prices it by that runtime's own rule.
struct CacheComponent {
  std::string name;
  std::int64_t bytes_per_token = 0;  // at the model's own dtype (the average, for pooled buffers)
  std::string note;
  std::int64_t values_per_token = 0;  // elements per token over all layers, for runtimes that re-price them
  // When set, the component grows by these buffers instead of values_per_token elements every token.
  std::vector<PooledBuffer> pooled;
};

// What a GGUF file says about itself, and its weights counted from the tensor infos (set for GGUF sources
// only).
struct GgufSummary {
  std::int64_t version = 0;
  std::int64_t tensor_count = 0;          // all splits together
  std::int64_t metadata_count = 0;        // key/value pairs of the first (or only) file
  std::optional<std::int64_t> file_type;  // general.file_type (llama_ftype), if stated
  std::string file_type_name;             // "Q4_K_M", ... ("" when not stated or unknown)
  std::int64_t alignment = 32;
  std::int64_t split_count = 1;
  bool tensor_data_present = true;     // false for header-only copies
  std::int64_t weight_bytes = 0;       // bytes of all tensors, as stored
  std::int64_t parameters = 0;         // elements of all tensors
  std::int64_t expert_parameters = 0;  // elements of the routed-expert tensors (*_exps)
  std::int64_t active_parameters = 0;  // parameters with only experts_per_token experts counted
  std::vector<std::pair<std::string, std::int64_t>> bytes_by_type;  // ggml type name -> bytes, largest first
};

struct ModelCacheSpec {
  std::string model_type;                      // as in the file
  std::optional<std::string> text_model_type;  // the nested text config's model_type, if any
  std::string source;                          // what was read (path or name)
  std::int64_t num_attention_heads = 0;
  std::int64_t hidden_size = 0;
  std::int64_t head_dim = 0;                   // representative (most common) attention head dim
  std::optional<std::int64_t> sliding_window;  // the model's window, if any layer is windowed
  std::optional<std::int64_t> attention_chunk_size;
  std::optional<std::int64_t> max_position_embeddings;
  std::string dtype;  // the model's own dtype ("bfloat16"), empty if unstated
  std::optional<MoeSpec> moe;
  std::optional<Quantization> quantization;
  std::optional<MlaDims> mla;  // set for MLA models
  // The cross-attention layers' fixed_tokens are those of one image (Mllama): the runtime request's `images`
  // scales them.
  bool cross_attention_per_image = false;
  std::vector<LayerSpec> layers;
  std::vector<CacheComponent> extra_components;
  std::vector<Note> notes;
  std::vector<Fact> facts;
  std::optional<WeightsSummary> weights;  // from the safetensors headers, when the model folder has them
  std::optional<GgufSummary> gguf;        // set when read from a GGUF file
  std::optional<RemoteInfo> remote;       // set when read from the Hub or a URL

  [[nodiscard]] std::int64_t num_layers() const { return static_cast<std::int64_t>(layers.size()); }
  [[nodiscard]] std::int64_t num_kv_heads() const;  // max over layers
  [[nodiscard]] bool is_uniform() const;            // every layer has the same kind, heads, dims and window
  [[nodiscard]] std::int64_t state_bytes_per_sequence() const;
  [[nodiscard]] std::int64_t count(LayerKind kind) const;
  [[nodiscard]] bool has_warnings() const;
};

// "F" per full layer etc., one character per layer.
std::string layer_strip(const ModelCacheSpec& spec);
// A compact run-length pattern: "[5×sliding(1024), 1×full] × 8" or "48×full".
std::string compact_pattern(const ModelCacheSpec& spec);
// A short label for one layer: "full", "sliding(1024)", "chunked(8192)", "mla", "recurrent", ...
std::string layer_label(const LayerSpec& layer);

}  // namespace kvspec
