// The llama.cpp profile: what llama.cpp allocates for a context, read from llama.cpp master of early 2026
// (after PR #19067 "kv-cache : support V-less cache", merged 2026-01-24) and checked to the MiB against
// tests/data/llama.cpp/measured.tsv (llama.cpp as shipped in node-llama-cpp 3.22.1).
//
//   n_ctx      src/llama-context.cpp (llama_context ctor): n_ctx = GGML_PAD(n_ctx, 256); with kv_unified
//              n_ctx_seq = n_ctx (one stream), else n_ctx_seq = GGML_PAD(n_ctx / n_seq_max, 256) and one
//              stream per sequence. n_batch = min(n_ctx, n_batch), n_ubatch = min(n_batch, n_ubatch).
//   defaults   common/common.h: n_batch 2048, n_ubatch 512, n_parallel 1, swa_full false, kv_unified false.
//   KV cells   src/llama-kv-cache.cpp (llama_kv_cache ctor): per layer K[n_embd_k_gqa, kv_size, n_stream] and
//              V[v_trans ? n_embd_v_gqa_max : n_embd_v_gqa, kv_size, n_stream] with v_trans = !flash_attn;
//              `has_v = !is_mla`: MLA GGUFs cache the latent K (kv_lora_rank + rope dims) and no V.
//   SWA cache  src/llama-kv-cache-iswa.cpp: size_swa = GGML_PAD(min(size_base, n_swa·(unified ? n_seq_max :
//   1)
//              + n_ubatch), 256) ("the SWA cache is always padded to 256"); swa_full -> size_swa = size_base.
//   recurrent  src/llama-memory-recurrent.cpp: mem_size = max(1, n_seq_max) cells; per recurrent layer
//              R = n_embd_r (conv state) and S = n_embd_s (SSM state) values per cell, both GGML_TYPE_F32 at
//              every create_memory call site (llama-model.cpp), whatever -ctk/-ctv say.
//   flash attn llama_init_from_model / llama_context: a quantized V cache without flash attention is refused
//              ("quantized V cache requires flash_attn"); `auto` is resolved when the context is created by
//              checking that each layer's device runs the fused op, which the CPU, CUDA, Metal and Vulkan
//              backends do, so kvspec resolves auto to on (except Grok: "flash_attn is not compatible with
//              Grok - forcing off").
//
// Read again at ggml-org/llama.cpp 34af94cd (2026-08-17), the rules below:
//   init       src/llama-context.cpp llama_init_from_model: an MLA model (hparams.is_mla()) refuses different
//              K and V types; a quantized V under auto turns flash attention on ("enabling flash_attn since
//              it is required for quantized V cache", #25871); with flash attention not off, a quantized K
//              (V) type must divide every layer's n_embd_head_k (n_embd_head_v), else the context is refused.
//              `auto` on the CPU: resolve_fused_ops compares the device of each fused FLASH_ATTN node with
//              the layer's device; ggml-cpu's supports_op accepts every FLASH_ATTN_EXT, so a CPU build always
//              resolves auto to on, whatever the head sizes or types. (node-llama-cpp, which produced
//              tests/data/llama.cpp/measured.tsv, passes flash attention off itself for Grok, Gemma 2 and
//              models whose key_length ≠ value_length: GgufInsights.flashAttentionSupported.)
//   no memory  src/llama-model.cpp create_memory returns nullptr for the non-causal encoders and diffusion
//              LMs (BERT-likes, gemma-embedding, dream, llada, rnd1): no KV cache at all.
//   DSA        src/llama-kv-cache-dsa.cpp: deepseek32 / glm-dsa keep a second llama_kv_cache beside the
//              latent: the lightning indexer's keys, one head of indexer.key_length per indexed layer, in the
//              K type, no V (is_mla()), same cells and streams.
//   V padding  src/llama-kv-cache.cpp: without flash attention every layer's V is n_embd_v_gqa_max wide;
//              a plain cache (no layer filter) holds every layer, those with no KV heads too (deci).
#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "runtime/profiles.hpp"

namespace kvspec {

namespace {

using namespace runtime_detail;

constexpr std::int64_t kPad = 256;     // llama-context.cpp GGML_PAD(n_ctx, 256); iswa SWA padding
constexpr std::int64_t kMaxSeq = 256;  // llama-cparams.h LLAMA_MAX_SEQ ("n_seq_max must be <= 256")

// Model types whose llama.cpp architecture builds an iSWA cache (llama-model.cpp load_hparams: archs that
// call hparams.set_swa_pattern / set swa_type). Elsewhere llama.cpp runs windowed layers with full-context
// caches: mistral, mixtral, qwen2 and starcoder2 convert to architectures without SWA keys, and LLM_ARCH_PHI3
// reads the window but disables it ("Phi SWA is currently disabled - results might be suboptimal").
bool llama_cpp_has_swa(std::string_view model_type) {
  return is_one_of(model_type, {"gemma2",      "gemma3",      "gemma3_text",     "gemma3n", "gemma3n_text",
                                "gemma4",      "gemma4_text", "gemma-embedding", "cohere2", "llama4",
                                "llama4_text", "olmo2",       "olmo3",           "exaone4", "exaone_moe",
                                "exaone-moe",  "gpt_oss",     "gpt-oss",         "afmoe",   "smallthinker"});
}

// GGUF architectures (and the transformers model_type of the same models) for which llama.cpp's
// create_memory returns nullptr (llama-model.cpp at 34af94cd): non-causal encoders and diffusion LMs.
bool llama_cpp_has_no_memory(std::string_view t) {
  return is_one_of(t, {"bert", "jina-bert-v2", "jina-bert-v3", "nomic-bert", "nomic-bert-moe", "neo-bert",
                       "eurobert", "wavtokenizer-dec", "modern-bert", "gemma-embedding", "dream", "llada",
                       "llada-moe", "rnd1", "modernbert", "nomic_bert"});
}

// Architectures whose plain llama_kv_cache (no layer filter) holds layers with no KV heads: Nemotron-NAS
// (GGUF `deci`) gives its no-op and linear-attention layers head_count_kv 0.
bool llama_cpp_keeps_headless_layers(std::string_view t) {
  return is_one_of(t, {"deci", "nemotron-nas"});
}

// llama_init_from_model's checks on the cache types (llama-context.cpp at 34af94cd).
Status check_cache_types(const ModelCacheSpec& spec, const RuntimeRequest& request, bool fa) {
  const DTypeInfo& kt = info(request.k_dtype);
  const DTypeInfo& vt = info(request.v_dtype);
  if (spec.count(LayerKind::mla) > 0 && request.k_dtype != request.v_dtype)
    return usage("--v-dtype", fmt::format("{} (the K type: an MLA model caches one latent)", kt.name),
                 std::string(vt.name), "llama.cpp: model does not support different K and V cache types");
  if (!fa) return Ok{};
  for (const auto& l : spec.layers) {
    if (!l.owns_kv() || l.kind == LayerKind::cross_attention) continue;
    // n_embd_head_v of an MLA layer is value_length = kv_lora_rank (the latent V is a view of K).
    const std::int64_t head_v =
        l.kind == LayerKind::mla ? (spec.mla ? spec.mla->kv_lora_rank : 0) : l.head_dim_v;
    for (auto [head, t, flag, what] : {std::tuple{l.head_dim_k, &kt, "--kv-dtype", "n_embd_head_k"},
                                       std::tuple{head_v, &vt, "--v-dtype", "n_embd_head_v"}})
      if (t->block_values > 1 && head % t->block_values != 0)
        return usage(flag,
                     fmt::format("a type whose block ({} values) divides {} = {}, or --flash-attn off",
                                 t->block_values, what, head),
                     std::string(t->name),
                     "llama.cpp refuses a quantized cache type that does not divide the head size when flash "
                     "attention is not off");
  }
  return Ok{};
}

}  // namespace

Result<RuntimeSize> size_llama_cpp(const ModelCacheSpec& spec, const RuntimeRequest& request) {
  const LlamaCppOptions& o = request.llama_cpp;
  if (o.ubatch <= 0) return usage("--ubatch", "a positive token count", std::to_string(o.ubatch));
  RuntimeSize out;
  start(out, request);
  const std::string& type = spec.text_model_type ? *spec.text_model_type : spec.model_type;

  // Flash attention, as llama.cpp resolves it.
  bool fa = o.flash_attn != FlashAttn::off;
  if (fa && is_one_of(type, {"grok", "grok-1"})) {
    fa = false;
    out.notes.push_back("llama.cpp forces flash attention off for Grok");
  } else if (o.flash_attn == FlashAttn::automatic) {
    out.notes.push_back("--flash-attn auto resolved to on (llama.cpp enables it where the backend runs it)");
    if (type == "gemma2" || std::any_of(spec.layers.begin(), spec.layers.end(), [](const LayerSpec& l) {
          return l.kind == LayerKind::mla || (l.owns_kv() && l.head_dim_k != l.head_dim_v);
        }))
      out.notes.push_back(
          "node-llama-cpp passes flash attention off for this model (Gemma 2, or key_length ≠ value_length), "
          "where llama.cpp's own auto turns it on");
  }
  out.flash_attn = fa;
  const DTypeInfo& kt = info(request.k_dtype);
  const DTypeInfo& vt = info(request.v_dtype);
  if (!fa && vt.block_values != 1)
    return usage("--v-dtype", "f16, bf16 or f32 without flash attention, or --flash-attn on",
                 std::string(vt.name),
                 "llama.cpp refuses a quantized V cache without flash attention (V is stored transposed)");
  if (kt.name.starts_with("fp8") || vt.name.starts_with("fp8"))
    return usage("--kv-dtype", "a ggml cache type (f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, iq4_nl)",
                 std::string(kt.name.starts_with("fp8") ? kt.name : vt.name),
                 "llama.cpp has no fp8 KV cache");
  if (auto s = check_cache_types(spec, request, fa); !s) return s.error();

  // Context, streams and micro-batch (llama-context.cpp).
  // n_ubatch = min(n_batch, n_ubatch) with n_batch = min(n_ctx, -b): -b (2048 by default) is taken to be at
  // least --ubatch, as it must be for --ubatch to take effect.
  const std::int64_t n_seq = request.batch;
  if (n_seq > kMaxSeq)
    return usage("--parallel", fmt::format("at most {} sequences (LLAMA_MAX_SEQ)", kMaxSeq),
                 std::to_string(n_seq));
  // --context is tokens per sequence in every runtime: llama.cpp's -c is n_ctx for all sequences, so the
  // request is -c context × -np (kv-unified too: one stream that holds `context` tokens for each sequence).
  auto n_ctx_asked = product("n_ctx", request.context, n_seq);
  if (!n_ctx_asked) return n_ctx_asked.error();
  const std::int64_t n_ubatch = std::min(o.ubatch, *n_ctx_asked);
  std::int64_t n_ctx = round_up(*n_ctx_asked, kPad);
  std::int64_t n_ctx_seq = n_ctx;
  std::int64_t n_stream = 1;
  if (!o.kv_unified) {
    if (n_ctx / n_seq == 0)
      return usage("--context", fmt::format("at least one token per sequence ({} sequences)", n_seq),
                   std::to_string(*n_ctx_asked), "llama.cpp: n_ctx_seq == 0");
    n_ctx_seq = round_up(n_ctx / n_seq, kPad);
    n_ctx = n_ctx_seq * n_seq;
    n_stream = n_seq;
  }
  out.n_ctx = n_ctx;
  if (llama_cpp_has_no_memory(type)) {
    out.per_layer_bytes.assign(spec.layers.size(), 0);
    out.per_layer_tokens.assign(spec.layers.size(), 0);
    out.notes.push_back(fmt::format(
        "llama.cpp keeps no KV cache for {} (a non-causal model: create_memory returns no memory)", type));
    if (auto s = close_totals(out); !s) return s.error();
    finish(out);
    return out;
  }
  out.streams = n_stream;

  // Which layers go where.
  const bool swa = llama_cpp_has_swa(type);
  bool any_windowed = false, any_base = false, any_swa = false;
  std::int64_t n_swa = 0;
  std::int64_t v_width_max = 0;  // n_embd_v_gqa_max: over every layer of the model
  for (const auto& l : spec.layers) {
    if (l.kind == LayerKind::sliding_attention || l.kind == LayerKind::chunked_attention) any_windowed = true;
    if (l.owns_kv() && l.kind != LayerKind::cross_attention)
      v_width_max = std::max(v_width_max, l.v_values_per_token());
  }
  if (any_windowed && !swa)
    out.notes.push_back(
        fmt::format("llama.cpp's {} architecture keeps no sliding-window cache: windowed layers "
                    "hold the full context",
                    type.empty() ? "(unknown)" : type));
  auto in_swa_cache = [&](const LayerSpec& l) {
    return swa && (l.kind == LayerKind::sliding_attention || l.kind == LayerKind::chunked_attention);
  };
  for (const auto& l : spec.layers) {
    if (!l.owns_kv() || l.kind == LayerKind::cross_attention) continue;
    if (in_swa_cache(l)) {
      any_swa = true;
      n_swa = std::max(n_swa, l.window.value_or(0));
    } else {
      any_base = true;
    }
  }
  if (spec.count(LayerKind::cross_attention) > 0)
    out.notes.push_back(
        "cross-attention K/V are not in llama.cpp's KV cache (recomputed from the encoder output)");

  const std::int64_t size_base = n_ctx_seq;
  std::int64_t size_swa = 0;
  if (any_swa) {
    auto want = product("SWA cells", n_swa, o.kv_unified ? n_seq : 1);
    if (!want) return want.error();
    auto with_ubatch = sum("SWA cells", *want, n_ubatch);
    if (!with_ubatch) return with_ubatch.error();
    size_swa = o.swa_full ? size_base : round_up(std::min(size_base, *with_ubatch), kPad);
    out.swa_cells = size_swa;
  }
  if (any_base || any_swa) out.cells = size_base;  // an iSWA cache always has its base part
  std::optional<std::int64_t> indexer_bytes;

  // K and V, layer by layer.
  out.per_layer_bytes.assign(spec.layers.size(), 0);
  out.per_layer_tokens.assign(spec.layers.size(), 0);
  const bool pad_headless = !fa && llama_cpp_keeps_headless_layers(type) && any_base;
  std::int64_t headless = 0;
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& l = spec.layers[i];
    if (pad_headless && l.kind == LayerKind::none) {
      // K is 0 values wide; V, transposed, is n_embd_v_gqa_max wide like every other layer's.
      auto vrow = row_bytes(request.v_dtype, v_width_max);
      if (!vrow) return overflow("row bytes");
      auto lt = add_layer_kv(out, i, 0, *vrow, size_base, n_stream);
      if (!lt) return lt.error();
      ++headless;
      continue;
    }
    if (!l.owns_kv() || l.kind == LayerKind::cross_attention) continue;
    const std::int64_t k_values = l.k_values_per_token();
    const bool has_v = l.kind != LayerKind::mla;
    const std::int64_t v_values = has_v ? (fa ? l.v_values_per_token() : v_width_max) : 0;
    for (auto [values, t, flag] :
         {std::tuple{k_values, &kt, "--kv-dtype"}, std::tuple{v_values, &vt, "--v-dtype"}})
      if (values % t->block_values != 0)
        return usage(flag,
                     fmt::format("a type whose block ({} values) divides the row of {} values",
                                 t->block_values, values),
                     std::string(t->name), "ggml rows are whole blocks");
    auto krow = row_bytes(request.k_dtype, k_values);
    auto vrow = row_bytes(request.v_dtype, v_values);
    if (!krow || !vrow) return overflow("row bytes");
    const std::int64_t cells = in_swa_cache(l) ? size_swa : size_base;
    auto lt = add_layer_kv(out, i, *krow, *vrow, cells, n_stream);
    if (!lt) return lt.error();
    if (in_swa_cache(l)) {
      auto sb = sum("SWA bytes", out.swa_bytes.value_or(0), *lt);
      if (!sb) return sb.error();
      out.swa_bytes = *sb;
    }
  }
  if (!fa && std::any_of(spec.layers.begin(), spec.layers.end(), [&](const LayerSpec& l) {
        return l.owns_kv() && l.kind != LayerKind::mla && l.v_values_per_token() != v_width_max;
      }))
    out.notes.push_back(
        fmt::format("without flash attention V is stored transposed and every layer's V row is "
                    "padded to the widest ({} values)",
                    v_width_max));

  if (headless > 0)
    out.notes.push_back(fmt::format(
        "without flash attention llama.cpp also gives the {} layers without KV heads a V row of {} values "
        "per cell (K is empty)",
        headless, v_width_max));

  // The DSA indexer's key cache: K type, no V, the main cache's cells and streams.
  if (const CacheComponent* idx = dsa_indexer(spec, type); idx != nullptr && any_base) {
    if (idx->values_per_token % kt.block_values != 0)
      return usage("--kv-dtype",
                   fmt::format("a type whose block ({} values) divides the indexer keys' {} values",
                               kt.block_values, idx->values_per_token),
                   std::string(kt.name), "ggml rows are whole blocks");
    auto row = row_bytes(request.k_dtype, idx->values_per_token);
    if (!row) return overflow("row bytes");
    auto bytes = product("indexer key bytes", *row, size_base, n_stream);
    if (!bytes) return bytes.error();
    if (auto s = add_kv_totals(out, *bytes, 0); !s) return s.error();
    indexer_bytes = *bytes;
    out.extra_bytes = *bytes;
    out.notes.push_back(
        fmt::format("DSA indexer key cache (llama_kv_cache_dsa): {} values per cell in {}, no V",
                    idx->values_per_token, kt.name));
  }

  // Recurrent state: f32 R and S, one cell per sequence, for every layer with a state (hybrid layers too:
  // llama_memory_hybrid gives falcon-h1's layers both a KV and a recurrent cell).
  if (std::any_of(spec.layers.begin(), spec.layers.end(), holds_state)) {
    const std::int64_t mem_size = std::max<std::int64_t>(1, n_seq);
    out.recurrent_cells = mem_size;
    for (std::size_t i = 0; i < spec.layers.size(); ++i) {
      const LayerSpec& l = spec.layers[i];
      if (!holds_state(l)) continue;
      auto r = product("recurrent state", l.conv_state_values, 4, mem_size);
      auto s = product("recurrent state", l.recurrent_state_values, 4, mem_size);
      if (!r) return r.error();
      if (!s) return s.error();
      auto rs = sum("recurrent state", out.r_bytes, *r);
      auto ss = sum("recurrent state", out.s_bytes, *s);
      auto lt = sum("layer bytes", *r, *s);
      if (!rs) return rs.error();
      if (!ss) return ss.error();
      if (!lt) return lt.error();
      out.r_bytes = *rs;
      out.s_bytes = *ss;
      auto total_layer = sum("layer bytes", out.per_layer_bytes[i], *lt);
      if (!total_layer) return total_layer.error();
      out.per_layer_bytes[i] = *total_layer;
    }
    if (std::any_of(spec.layers.begin(), spec.layers.end(), [](const LayerSpec& l) {
          return l.state_bytes > 0 && l.conv_state_values == 0 && l.recurrent_state_values == 0;
        }))
      out.notes.push_back("some recurrent layers state no element counts: their f32 state is not counted");
  }

  auto state = sum("the cache size", out.r_bytes, out.s_bytes);
  if (!state) return state.error();
  out.state_bytes = *state;
  if (auto s = close_totals(out); !s) return s.error();
  if (*n_ctx_asked % kPad != 0 || (!o.kv_unified && *n_ctx_asked / n_seq % kPad != 0))
    out.notes.push_back(
        fmt::format("n_ctx {} padded to {} ({} cells per stream)", *n_ctx_asked, n_ctx, n_ctx_seq));
  finish(out);
  if (indexer_bytes) out.details.push_back({"indexer_bytes", *indexer_bytes});
  return out;
}

}  // namespace kvspec
