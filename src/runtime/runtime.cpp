// size_runtime(): option checks common to every profile, then the profile. The "exact" runtime is
// size_exact() (src/size/exact.cpp): the bytes the cache must hold, no runtime padding.
#include <algorithm>
#include <cctype>
#include <string>

#include <fmt/format.h>

#include "runtime/profiles.hpp"

namespace kvspec {

namespace runtime_detail {

// Sequences, tensor- and pipeline-parallel ranks: far above any deployment, low enough that products with
// tokens (≤ 2^40) stay below 2^63.
constexpr std::int64_t kMaxRequestCount = std::int64_t{1} << 20;

Error overflow(std::string_view what) {
  return make_error(ErrorCode::usage, "", "", "sizes that fit in 64 bits", "an overflow",
                    fmt::format("while computing {}", what));
}

Error usage(std::string field, std::string expected, std::string found, std::string detail) {
  return make_error(ErrorCode::usage, "", std::move(field), std::move(expected), std::move(found),
                    std::move(detail));
}

Result<std::int64_t> sum(std::string_view what, std::int64_t a, std::int64_t b) {
  auto s = checked_add(a, b);
  if (!s) return overflow(what);
  return *s;
}

Status add_kv_totals(RuntimeSize& out, std::int64_t k_bytes, std::int64_t v_bytes) {
  auto ks = sum("K bytes", out.k_bytes, k_bytes);
  auto vs = sum("V bytes", out.v_bytes, v_bytes);
  if (!ks) return ks.error();
  if (!vs) return vs.error();
  out.k_bytes = *ks;
  out.v_bytes = *vs;
  return Ok{};
}

Result<std::int64_t> add_layer_state(RuntimeSize& out, std::size_t i, std::int64_t state_bytes,
                                     std::int64_t copies) {
  auto s = product("recurrent state", state_bytes, copies);
  if (!s) return s.error();
  auto st = sum("the cache size", out.state_bytes, *s);
  if (!st) return st.error();
  out.state_bytes = *st;
  auto layer = sum("layer bytes", out.per_layer_bytes[i], *s);
  if (!layer) return layer.error();
  out.per_layer_bytes[i] = *layer;
  return *s;
}

Result<std::int64_t> add_layer_kv(RuntimeSize& out, std::size_t i, std::int64_t k_row, std::int64_t v_row,
                                  std::int64_t tokens, std::int64_t copies) {
  auto kb = product("K bytes", k_row, tokens, copies);
  auto vb = product("V bytes", v_row, tokens, copies);
  if (!kb) return kb.error();
  if (!vb) return vb.error();
  auto lt = sum("layer bytes", *kb, *vb);
  if (!lt) return lt.error();
  if (auto s = add_kv_totals(out, *kb, *vb); !s) return s.error();
  auto layer = sum("layer bytes", out.per_layer_bytes[i], *lt);
  if (!layer) return layer.error();
  out.per_layer_bytes[i] = *layer;
  out.per_layer_tokens[i] = tokens;
  return *lt;
}

Status close_totals(RuntimeSize& out) {
  auto kv = sum("the cache size", out.k_bytes, out.v_bytes);
  if (!kv) return kv.error();
  out.kv_bytes = *kv;
  auto total = sum("the cache size", out.kv_bytes, out.state_bytes);
  if (!total) return total.error();
  out.total_bytes = *total;
  out.peak_bytes = *total;
  return Ok{};
}

Result<std::int64_t> plain_bytes(CacheDType type, std::int64_t values, std::string_view runtime) {
  const DTypeInfo& i = info(type);
  if (i.block_values != 1)
    return usage("--kv-dtype",
                 fmt::format("a cache type {} stores (f32, f16, bf16, fp8_e4m3, fp8_e5m2)", runtime),
                 std::string(i.name), "ggml block types are llama.cpp's");
  return product("bytes per token", values, i.block_bytes);
}

std::int64_t model_dtype_bytes(const ModelCacheSpec& spec) {
  if (auto t = cache_dtype_from_torch(spec.dtype)) return info(*t).block_bytes;
  return 2;
}

const CacheComponent* dsa_indexer(const ModelCacheSpec& spec, std::string_view type) {
  if (!is_one_of(type, {"deepseek32", "glm-dsa", "deepseek_v32", "glm_moe_dsa"})) return nullptr;
  for (const auto& c : spec.extra_components)
    if (c.name == "indexer keys" && c.values_per_token > 0) return &c;
  return nullptr;
}

bool is_one_of(std::string_view model_type, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), model_type) != names.end();
}

void start(RuntimeSize& out, const RuntimeRequest& request) {
  out.runtime = std::string(to_string(request.runtime));
  out.context = request.context;
  out.batch = request.batch;
  out.k_dtype = request.k_dtype;
  out.v_dtype = request.v_dtype;
  out.tp = request.tp;
  out.pp = request.pp;
}

void finish(RuntimeSize& out) {
  auto add = [&](std::string_view key, std::optional<std::int64_t> v) {
    if (v) out.details.push_back({std::string(key), *v});
  };
  add("k_bytes", out.k_bytes);
  add("v_bytes", out.v_bytes);
  add("n_ctx", out.n_ctx);
  add("cells", out.cells);
  add("swa_cells", out.swa_cells);
  add("swa_bytes", out.swa_bytes);
  add("streams", out.streams);
  add("recurrent_cells", out.recurrent_cells);
  if (out.recurrent_cells) {
    add("r_bytes", out.r_bytes);
    add("s_bytes", out.s_bytes);
  }
  if (out.flash_attn) add("flash_attn", *out.flash_attn ? 1 : 0);
  add("block_size", out.block_size);
  add("page_bytes", out.page_bytes);
  add("bytes_per_block", out.bytes_per_block);
  add("blocks_per_request", out.blocks_per_request);
  add("kv_groups", out.kv_groups);
  add("group_size", out.group_size);
  if (out.tp > 1 || out.pp > 1) {
    add("tp", out.tp);
    add("pp", out.pp);
  }
  add("kv_heads_per_rank", out.kv_heads_per_rank);
  add("layers_per_rank", out.layers_per_rank);
}

}  // namespace runtime_detail

namespace {

using namespace runtime_detail;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

Result<RuntimeSize> size_exact_runtime(const ModelCacheSpec& spec, const RuntimeRequest& request) {
  auto c = size_exact(spec, {request.context, request.batch, request.k_dtype, request.v_dtype});
  if (!c) return c.error();
  RuntimeSize out;
  static_cast<CacheSize&>(out) = std::move(*c);
  start(out, request);
  for (const auto& layer : spec.layers) {
    if (!layer.owns_kv()) continue;
    auto k = row_bytes(request.k_dtype, layer.k_values_per_token());
    auto v = row_bytes(request.v_dtype, layer.v_values_per_token());
    if (!k || !v) return overflow("K/V bytes");
    std::int64_t tokens = exact_tokens_held(layer, request.context);
    auto kb = product("K bytes", *k, tokens, request.batch);
    auto vb = product("V bytes", *v, tokens, request.batch);
    if (!kb) return kb.error();
    if (!vb) return vb.error();
    if (auto s = add_kv_totals(out, *kb, *vb); !s) return s.error();
  }
  // size_exact() counted the extra components (keys, or DeepSeek-V4's shared K=V entries) into kv_bytes.
  if (out.extra_bytes > 0) {
    if (auto s = add_kv_totals(out, out.extra_bytes, 0); !s) return s.error();
  }
  finish(out);
  return out;
}

}  // namespace

std::string_view to_string(Runtime runtime) {
  switch (runtime) {
    case Runtime::exact:
      return "exact";
    case Runtime::llama_cpp:
      return "llama.cpp";
    case Runtime::mlx:
      return "mlx";
    case Runtime::vllm:
      return "vllm";
    case Runtime::transformers:
      return "transformers";
  }
  return "?";
}

std::optional<Runtime> parse_runtime(std::string_view name) {
  const std::string n = lower(name);
  if (n == "exact") return Runtime::exact;
  if (n == "llama.cpp" || n == "llama_cpp" || n == "llamacpp" || n == "llama-cpp") return Runtime::llama_cpp;
  if (n == "mlx" || n == "mlx-lm" || n == "mlx_lm") return Runtime::mlx;
  if (n == "vllm") return Runtime::vllm;
  if (n == "transformers" || n == "hf") return Runtime::transformers;
  return std::nullopt;
}

std::optional<FlashAttn> parse_flash_attn(std::string_view name) {
  const std::string n = lower(name);
  if (n == "auto") return FlashAttn::automatic;
  if (n == "on" || n == "enabled" || n == "1" || n == "true") return FlashAttn::on;
  if (n == "off" || n == "disabled" || n == "0" || n == "false") return FlashAttn::off;
  return std::nullopt;
}

Result<RuntimeSize> size_runtime(const ModelCacheSpec& spec, const RuntimeRequest& request) {
  if (request.context <= 0)
    return usage("context", "a positive token count", std::to_string(request.context));
  if (request.batch <= 0) return usage("batch", "a positive sequence count", std::to_string(request.batch));
  if (request.tp <= 0 || request.pp <= 0)
    return usage(request.tp <= 0 ? "--tp" : "--pp", "a positive rank count",
                 std::to_string(request.tp <= 0 ? request.tp : request.pp));
  if ((request.tp > 1 || request.pp > 1) && request.runtime != Runtime::vllm)
    return usage(request.tp > 1 ? "--tp" : "--pp",
                 "1 (tensor and pipeline splits are modelled for --runtime vllm)",
                 std::to_string(request.tp > 1 ? request.tp : request.pp));
  // The profiles pad, round and add tokens and options unchecked within these bounds (and multiply heads ×
  // dims per layer): only validated specs and requests in range get here. The CLI's own limits are lower.
  if (request.context > kMaxSpecTokens)
    return usage("context", fmt::format("at most {} tokens", kMaxSpecTokens),
                 std::to_string(request.context));
  if (request.batch > kMaxRequestCount)
    return usage("batch", fmt::format("at most {} sequences", kMaxRequestCount),
                 std::to_string(request.batch));
  if (request.tp > kMaxRequestCount || request.pp > kMaxRequestCount)
    return usage(request.tp > kMaxRequestCount ? "--tp" : "--pp", fmt::format("at most {}", kMaxRequestCount),
                 std::to_string(std::max(request.tp, request.pp)));
  const std::pair<const char*, std::int64_t> options[] = {
      {"--ubatch", request.llama_cpp.ubatch},
      {"--kv-group-size", request.mlx.kv_group_size},
      {"--block-size", request.vllm.block_size},
      {"--max-num-batched-tokens", request.vllm.max_num_batched_tokens}};
  for (const auto& [name, v] : options)
    if (v > kMaxSpecTokens) return usage(name, fmt::format("at most {}", kMaxSpecTokens), std::to_string(v));
  if (auto s = validate_for_sizing(spec); !s) return s.error();
  if (request.images && (*request.images < 0 || *request.images > kMaxImages))
    return usage("--images", fmt::format("0 to {} images", kMaxImages), std::to_string(*request.images));
  if (spec.cross_attention_per_image && spec.count(LayerKind::cross_attention) > 0) {
    // The cross-attention layers hold one image's tokens per image: size a copy for `images` images.
    const std::int64_t images = request.images.value_or(1);
    ModelCacheSpec scaled = spec;
    for (LayerSpec& l : scaled.layers) {
      if (l.kind != LayerKind::cross_attention) continue;
      auto t = checked_mul(l.fixed_tokens.value_or(0), images);
      if (!t || *t > kMaxSpecTokens)
        return usage("--images", "fewer images (their tokens must stay within the token bounds)",
                     std::to_string(images));
      l.fixed_tokens = *t;
    }
    scaled.cross_attention_per_image = false;
    auto out = size_runtime(scaled, request);
    if (!out) return out.error();
    out->images = images;
    out->details.push_back({"images", images});
    out->notes.push_back(
        images == 0 ? std::string("text-only input (--images 0): the cross-attention layers hold nothing")
                    : fmt::format("cross-attention layers sized for {} image{} per sequence (--images)",
                                  images, images == 1 ? "" : "s"));
    return out;
  }
  switch (request.runtime) {
    case Runtime::exact:
      return size_exact_runtime(spec, request);
    case Runtime::llama_cpp:
      return size_llama_cpp(spec, request);
    case Runtime::mlx:
      return size_mlx(spec, request);
    case Runtime::vllm:
      return size_vllm(spec, request);
    case Runtime::transformers:
      return size_transformers(spec, request);
  }
  return make_error(ErrorCode::internal, "", "", "", "", "unknown runtime");
}

}  // namespace kvspec
