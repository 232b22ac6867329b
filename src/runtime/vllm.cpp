// The vLLM (v1 engine) profile: the KV cache vLLM plans for requests of max_model_len tokens, read from
// vllm-project/vllm at 001cabc1 (2025-2026 main).
//
//   pages       vllm/v1/kv_cache_interface.py: FullAttentionSpec page = block_size · kv_heads · (head_size +
//               head_size_v) · dtype; SlidingWindowSpec / ChunkedLocalAttentionSpec (AttentionSpec) page =
//               2 · block_size · kv_heads · head_size · dtype; MLAAttentionSpec page = block_size · kv_heads
//               · head_size · dtype (no factor 2: the latent, kv_heads = 1); MambaSpec page = its state
//               arrays.
//   per request max_memory_usage_bytes: full cdiv(max_model_len, block) pages; sliding
//               (cdiv(min(window - 1 + max_num_batched_tokens, max_model_len), block) + 1) pages; chunked
//               cdiv(min(chunk + max_num_batched_tokens, max_model_len), block) pages; cross-attention
//               cdiv(encoder tokens, block) pages; mamba (mamba_cache_mode "none") one page.
//   groups      vllm/v1/core/kv_cache_utils.py get_kv_cache_groups: one group when every layer has the same
//   spec
//               (or the same type: UniformTypeKVCacheSpecs, a page per layer); otherwise
//               unify_kv_cache_spec_page_size (smaller pages get block_size × (max_page / page), which must
//               divide) and _get_kv_cache_groups_uniform_page_size: group_size = the fewest layers of a type
//               (the most, if that is < 1.5 × the fewest), each type split into cdiv(n, group_size) groups
//               (padded). get_kv_cache_config_from_groups: group_size tensors of page × num_blocks bytes, one
//               block id used by one group at a time -> bytes per block = page · group_size.
//   concurrency get_max_concurrency_for_kv_cache_config: num_blocks / Σ_groups cdiv(max_memory_usage, page).
//   hybrid mamba vllm/model_executor/models/config.py HybridAttentionMambaModelConfig: the attention block
//   size is
//               raised to a multiple of 16 whose page covers the mamba state, then the mamba page is padded
//               to it.
//   chunked     Llama 4's chunked local attention runs with the hybrid KV cache manager disabled (unless
//               VLLM_ALLOW_CHUNKED_LOCAL_ATTN_WITH_HYBRID_KV_CACHE): unify_hybrid_kv_cache_specs turns
//               sliding and chunked specs into FullAttentionSpec (pages for the whole context).
//   tensor par. vllm/config/model.py get_num_kv_heads: max(1, kv_heads // tp) (replicated when tp >
//   kv_heads);
//               `if self.use_mla: return 1` — the MLA latent is whole on every rank.
//   pipeline    vllm/distributed/utils.py get_pp_indices: layers // pp per stage, the remainder added one
//   each to
//               partitions[-2], [-3], ... (the last stage also holds the LM head).
#include <algorithm>
#include <map>
#include <string>
#include <tuple>

#include <fmt/format.h>

#include "runtime/profiles.hpp"

namespace kvspec {

namespace {

using namespace runtime_detail;

// The bytes of one recurrent state as vLLM keeps it (model_executor/layers/mamba/mamba_utils.py
// MambaStateDtypeCalculator at 02d71083; models/config.py MODELS_CONFIG_MAP): the conv state in the model's
// dtype (mamba_cache_dtype "auto"); the SSM / delta-rule state in --mamba-ssm-cache-dtype, whose "auto" is
// the conv state's dtype — except where a model hook sets it: NemotronH (hf mamba_ssm_cache_dtype, else
// float32), Qwen3.5 (hf mamba_ssm_dtype when stated), and KDA layers (kimi_linear), whose recurrent state is
// float32. Layers that state no element counts keep the spec's bytes.
struct VllmStateDtypes {
  std::int64_t conv = 2;
  std::int64_t ssm = 2;
  std::string why;
};

VllmStateDtypes vllm_state_dtypes(const ModelCacheSpec& spec) {
  VllmStateDtypes d;
  d.conv = d.ssm = model_dtype_bytes(spec);
  std::optional<std::int64_t> stated;  // the config's own SSM dtype (fact recurrent_state_dtype, tier config)
  std::string stated_name;
  for (const Fact& f : spec.facts)
    if (f.name == "recurrent_state_dtype") {
      if (auto t = cache_dtype_from_torch(f.value)) {
        if (f.tier == Tier::config) stated = info(*t).block_bytes, stated_name = f.value;
      }
    }
  const std::string& mt = spec.model_type;
  const std::string tt = spec.text_model_type.value_or("");
  if (mt == "nemotron_h" || tt == "nemotron_h") {
    d.ssm = stated.value_or(4);
    d.why = stated ? "NemotronH: the config's mamba_ssm_cache_dtype " + stated_name
                   : "NemotronH: mamba_ssm_cache_dtype defaults to float32";
  } else if (mt.rfind("qwen3_5", 0) == 0 || tt.rfind("qwen3_5", 0) == 0) {
    if (stated) d.ssm = *stated, d.why = "Qwen3.5: the config's mamba_ssm_dtype " + stated_name;
  } else if (mt == "kimi_linear" || tt == "kimi_linear") {
    d.ssm = 4;
    d.why = "KDA: the recurrent state is float32";
  }
  return d;
}

// DeepSeek-V3.2-style sparse attention (DSA): beside each MLA layer vLLM registers the lightning indexer's
// key cache as a layer of its own (model_executor/models/deepseek_v2.py DeepseekV32IndexerCache): an
// MLAAttentionSpec of one head of index_head_dim + index_head_dim / 128 × 4 bytes per token (uint8: fp8
// values and a float32 scale per 128, whatever the cache dtype). With an fp8 cache the latent itself takes
// the fp8_ds_mla layout (models/config.py DeepseekV32ForCausalLM; kv_cache_interface.py MLAAttentionSpec
// .real_page_size_bytes): 656 bytes per token (512 fp8 + 4 float32 scales + 64 bf16 RoPE values).
struct VllmDsa {
  std::int64_t indexer_bytes_per_token = 0;  // 0: not a DSA model
  bool fp8_ds_mla = false;
};

VllmDsa vllm_dsa(const ModelCacheSpec& spec, CacheDType k_dtype) {
  VllmDsa d;
  const CacheComponent* idx = dsa_indexer(spec, spec.model_type);
  if (idx == nullptr && spec.text_model_type) idx = dsa_indexer(spec, *spec.text_model_type);
  const std::int64_t mla_layers = spec.count(LayerKind::mla);
  if (idx == nullptr || mla_layers == 0 || idx->values_per_token % mla_layers != 0) return d;
  const std::int64_t dim = idx->values_per_token / mla_layers;
  d.indexer_bytes_per_token = dim + dim / 128 * 4;
  const DTypeInfo& i = info(k_dtype);
  d.fp8_ds_mla = i.block_bytes == 1 && i.block_values == 1 && spec.mla &&
                 spec.mla->kv_lora_rank + spec.mla->qk_rope_head_dim == 576;
  return d;
}

Result<std::int64_t> vllm_state_bytes(const LayerSpec& l, const VllmStateDtypes& d) {
  if (l.conv_state_values == 0 && l.recurrent_state_values == 0) return l.state_bytes;
  auto conv = product("recurrent state", l.conv_state_values, d.conv);
  auto ssm = product("recurrent state", l.recurrent_state_values, d.ssm);
  if (!conv) return conv.error();
  if (!ssm) return ssm.error();
  return sum("recurrent state", *conv, *ssm);
}

enum class VKind { full, sliding, chunked, mla, mamba, cross };

struct VSpec {
  VKind kind = VKind::full;
  std::int64_t block = 16;
  std::int64_t page = 0;  // bytes of one block of one layer
  std::int64_t window = 0;
  std::int64_t fixed_tokens = 0;
  std::int64_t k_bytes_per_token = 0;  // for the K/V split of the report
  std::int64_t v_bytes_per_token = 0;
  auto key() const { return std::tie(kind, block, page, window, fixed_tokens); }
  bool same_type(const VSpec& o) const { return kind == o.kind && window == o.window; }
};

// Blocks one request of max_model_len tokens may use in a group of this spec (max_memory_usage_bytes / page).
std::int64_t blocks_per_request(const VSpec& s, std::int64_t max_model_len, std::int64_t batched) {
  switch (s.kind) {
    case VKind::full:
    case VKind::mla:
      return ceil_div(max_model_len, s.block);
    case VKind::sliding:
      return ceil_div(std::min(s.window - 1 + batched, max_model_len), s.block) + 1;
    case VKind::chunked:
      return ceil_div(std::min(s.window + batched, max_model_len), s.block);
    case VKind::cross:
      return ceil_div(s.fixed_tokens, s.block);
    case VKind::mamba:
      return 1;
  }
  return 0;
}

// get_pp_indices: [start, end) of each stage.
std::vector<std::pair<std::int64_t, std::int64_t>> pp_stages(std::int64_t layers, std::int64_t pp) {
  std::vector<std::int64_t> parts(static_cast<std::size_t>(pp), layers / pp);
  for (std::int64_t i = 2; i < layers % pp + 2; ++i) parts[parts.size() - static_cast<std::size_t>(i)] += 1;
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  std::int64_t start = 0;
  for (auto p : parts) {
    out.emplace_back(start, start + p);
    start += p;
  }
  return out;
}

struct Group {
  VSpec spec;
  std::vector<std::size_t> layers;  // model layer indices
};

struct Plan {
  // Entry i < n: layer i's attention cache or recurrent state; entry n + i: the Mamba state of a hybrid layer
  // i that also runs attention (Falcon-H1's parallel mixer, Zamba2's hybrid layers: vLLM registers the
  // mixer as a layer of its own, with its own MambaSpec). nullopt: no cache.
  std::vector<std::optional<VSpec>> per_layer;
  std::vector<Group> groups;
  bool uniform_type = false;  // one group, a page per layer (UniformTypeKVCacheSpecs)
  std::int64_t page = 0;      // the unified page (not for uniform_type)
};

Result<Plan> plan(const ModelCacheSpec& spec, const RuntimeRequest& request, RuntimeSize& out) {
  const VllmOptions& o = request.vllm;
  const std::int64_t dt = info(request.k_dtype).block_bytes;
  Plan p;
  const std::size_t n = spec.layers.size();
  p.per_layer.resize(2 * n);
  const bool chunked = spec.count(LayerKind::chunked_attention) > 0;
  if (chunked)
    out.notes.push_back(
        "chunked local attention disables the hybrid KV cache manager: windowed layers get pages "
        "for the whole context");
  std::int64_t heads_rank = 0;
  std::int64_t mamba_page = 0;
  const VllmStateDtypes state_dtypes = vllm_state_dtypes(spec);
  bool repriced = false;
  const VllmDsa dsa = vllm_dsa(spec, request.k_dtype);
  std::int64_t attn_page_per_token = 0;
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& l = spec.layers[i];
    VSpec s;
    s.block = o.block_size;
    if (l.kind == LayerKind::recurrent || (holds_state(l) && l.owns_kv())) {
      if (l.state_bytes > 0) {
        VSpec m = s;
        m.kind = VKind::mamba;
        auto bytes = vllm_state_bytes(l, state_dtypes);
        if (!bytes) return bytes.error();
        repriced = repriced || *bytes != l.state_bytes;
        m.page = ceil_div(*bytes, request.tp);
        mamba_page = std::max(mamba_page, m.page);
        p.per_layer[l.kind == LayerKind::recurrent ? i : n + i] = m;
      }
      if (l.kind == LayerKind::recurrent) continue;
    }
    if (!l.owns_kv()) continue;
    const bool is_mla = l.kind == LayerKind::mla;
    const std::int64_t heads =
        is_mla ? l.num_kv_heads : std::max<std::int64_t>(1, l.num_kv_heads / request.tp);
    heads_rank = std::max(heads_rank, heads);
    auto kpt = product("page size", heads, l.head_dim_k, dt);
    auto vpt = product("page size", heads, l.head_dim_v, dt);
    if (!kpt) return kpt.error();
    if (!vpt) return vpt.error();
    s.k_bytes_per_token = is_mla && dsa.fp8_ds_mla ? 656 : *kpt;
    s.v_bytes_per_token = *vpt;
    if (is_mla && dsa.indexer_bytes_per_token > 0) {
      VSpec ix;
      ix.kind = VKind::mla;
      ix.block = o.block_size;
      ix.k_bytes_per_token = dsa.indexer_bytes_per_token;
      auto ipage = product("page size", ix.k_bytes_per_token, o.block_size);
      if (!ipage) return ipage.error();
      ix.page = *ipage;
      p.per_layer[n + i] = ix;
    }
    switch (l.kind) {
      case LayerKind::mla:
        s.kind = VKind::mla;
        break;
      case LayerKind::sliding_attention:
        s.kind = chunked ? VKind::full : VKind::sliding;
        break;
      case LayerKind::chunked_attention:
        s.kind = VKind::full;
        break;
      case LayerKind::cross_attention:
        s.kind = VKind::cross;
        break;
      default:
        s.kind = VKind::full;
        break;
    }
    if (s.kind == VKind::sliding) s.window = l.window.value_or(0);
    if (s.kind == VKind::cross) s.fixed_tokens = l.fixed_tokens.value_or(0);
    // AttentionSpec's 2 · head_size equals head_size + head_size_v whenever the two agree, which they do for
    // every windowed model; MLA has no V.
    auto per_token = sum("page size", s.k_bytes_per_token, *vpt);
    if (!per_token) return per_token.error();
    attn_page_per_token = std::max(attn_page_per_token, *per_token);
    auto page = product("page size", *per_token, o.block_size);
    if (!page) return page.error();
    s.page = *page;
    p.per_layer[i] = s;
  }
  out.kv_heads_per_rank = heads_rank > 0 ? std::optional<std::int64_t>(heads_rank) : std::nullopt;

  if (dsa.indexer_bytes_per_token > 0)
    out.notes.push_back(fmt::format(
        "DSA indexer key cache (DeepseekV32IndexerCache): a layer of its own beside each MLA layer, {} bytes "
        "per token (fp8 keys + float32 scales){}",
        dsa.indexer_bytes_per_token,
        dsa.fp8_ds_mla ? "; the fp8 latent in the fp8_ds_mla layout, 656 bytes per token" : ""));
  if (repriced)
    out.notes.push_back(
        fmt::format("recurrent state as vLLM keeps it: conv state {} B and SSM state {} B per element{}",
                    state_dtypes.conv, state_dtypes.ssm,
                    state_dtypes.why.empty() ? " (mamba_ssm_cache_dtype auto: the model's dtype)"
                                             : " (" + state_dtypes.why + ")"));
  // Hybrid attention + mamba: raise the attention block size until its page covers the mamba state, pad
  // mamba.
  if (mamba_page > 0 && attn_page_per_token > 0) {
    std::int64_t block = 16 * ceil_div(mamba_page, 16 * attn_page_per_token);
    if (block > o.block_size) {
      out.notes.push_back(
          fmt::format("attention block size raised to {} so a page covers the recurrent state", block));
      for (auto& s : p.per_layer)
        if (s && s->kind != VKind::mamba) s->page = s->page / s->block * block, s->block = block;
    }
    std::int64_t attn_page = 0;
    for (auto& s : p.per_layer)
      if (s && s->kind != VKind::mamba) attn_page = std::max(attn_page, s->page);
    for (auto& s : p.per_layer)
      if (s && s->kind == VKind::mamba) s->page = attn_page;
    out.notes.push_back(
        "recurrent state pages padded to the attention page (HybridAttentionMambaModelConfig)");
  }

  std::vector<std::size_t> owners;
  for (std::size_t i = 0; i < p.per_layer.size(); ++i)
    if (p.per_layer[i]) owners.push_back(i);
  if (owners.empty()) return p;
  const VSpec& first = *p.per_layer[owners.front()];
  bool all_same = true, all_type = true;
  for (auto i : owners) {
    all_same = all_same && p.per_layer[i]->key() == first.key();
    all_type = all_type && p.per_layer[i]->same_type(first) && p.per_layer[i]->block == first.block;
  }
  if (all_same || all_type) {
    p.uniform_type = !all_same;
    p.page = first.page;
    p.groups.push_back({first, owners});
    return p;
  }

  // Hybrid: unify page sizes, then groups of equal size.
  std::int64_t max_page = 0;
  for (auto i : owners) max_page = std::max(max_page, p.per_layer[i]->page);
  for (auto i : owners) {
    VSpec& s = *p.per_layer[i];
    if (s.page == max_page) continue;
    if (s.page == 0)  // a KV layer with no heads or no head dim: nothing vLLM can page (found by fuzz_size)
      return usage("spec", "attention layers with KV heads and head dims above 0",
                   "a layer whose page is 0 bytes");
    if (max_page % s.page != 0)
      return usage("--block-size", "layer page sizes vLLM can unify (each dividing the largest)",
                   fmt::format("pages of {} and {} bytes", s.page, max_page),
                   "vLLM raises NotImplementedError: cannot unify by adjusting block_size");
    s.block *= max_page / s.page;
    s.page = max_page;
  }
  p.page = max_page;
  std::vector<std::pair<VSpec, std::vector<std::size_t>>> types;  // first-seen order, as the dict in vLLM
  for (auto i : owners) {
    const VSpec& s = *p.per_layer[i];
    auto it =
        std::find_if(types.begin(), types.end(), [&](const auto& t) { return t.first.key() == s.key(); });
    if (it == types.end())
      types.push_back({s, {i}});
    else
      it->second.push_back(i);
  }
  std::size_t min_n = owners.size(), max_n = 0;
  for (const auto& t : types) {
    min_n = std::min(min_n, t.second.size());
    max_n = std::max(max_n, t.second.size());
  }
  std::size_t group_size = (2 * max_n < 3 * min_n) ? max_n : min_n;
  for (const auto& [s, layers] : types) {
    std::size_t n_groups = (layers.size() + group_size - 1) / group_size;
    for (std::size_t g = 0; g < n_groups; ++g) {
      Group grp{s, {}};
      for (std::size_t j = g; j < layers.size(); j += n_groups) grp.layers.push_back(layers[j]);
      p.groups.push_back(std::move(grp));
    }
  }
  return p;
}

}  // namespace

Result<RuntimeSize> size_vllm(const ModelCacheSpec& spec, const RuntimeRequest& request) {
  const VllmOptions& o = request.vllm;
  if (o.block_size <= 0) return usage("--block-size", "a positive token count", std::to_string(o.block_size));
  if (o.max_num_batched_tokens <= 0)
    return usage("--max-num-batched-tokens", "a positive token count",
                 std::to_string(o.max_num_batched_tokens));
  if (request.k_dtype != request.v_dtype)
    return usage("--v-dtype", "the same dtype as --kv-dtype (vLLM has one cache dtype)",
                 std::string(to_string(request.v_dtype)));
  if (auto b = plain_bytes(request.k_dtype, 1, "vLLM"); !b) return b.error();
  // vllm/config/model.py ModelConfig.verify_with_parallel_config (18ec6629): "Total number of attention heads
  // ({heads}) must be divisible by tensor parallel size ({tp})", a ValueError before anything is allocated.
  if (spec.num_attention_heads > 0 && spec.num_attention_heads % request.tp != 0)
    return usage("--tp",
                 fmt::format("a divisor of the {} attention heads (vLLM refuses a tensor-parallel size that "
                             "does not divide them)",
                             spec.num_attention_heads),
                 std::to_string(request.tp));
  if (request.pp > spec.num_layers())
    return usage("--pp", fmt::format("at most {} stages (one layer each)", spec.num_layers()),
                 std::to_string(request.pp));
  RuntimeSize best;
  bool have = false;
  for (auto [first_layer, end_layer] : pp_stages(spec.num_layers(), request.pp)) {
    RuntimeSize out;
    start(out, request);
    auto p = plan(spec, request, out);
    if (!p) return p.error();
    const std::int64_t T = request.context;
    // Copies: clang 14 cannot capture structured bindings (P1091, clang 16), and the fuzz build uses it.
    const std::int64_t stage_begin = first_layer, stage_end = end_layer;
    const std::size_t n = spec.layers.size();
    auto on_stage = [&](std::size_t e) {  // e: a plan entry (n + i for a hybrid layer's state)
      const auto i = static_cast<std::int64_t>(e % n);
      return i >= stage_begin && i < stage_end;
    };
    std::int64_t blocks_req = 0;
    std::int64_t bytes_per_block = 0;
    std::int64_t group_size = 0;
    out.per_layer_bytes.assign(spec.layers.size(), 0);
    out.per_layer_tokens.assign(spec.layers.size(), 0);
    for (const Group& g : p->groups) {
      const std::int64_t blocks = blocks_per_request(g.spec, T, o.max_num_batched_tokens);
      auto br = sum("blocks per request", blocks_req, blocks);
      if (!br) return br.error();
      blocks_req = *br;
      std::int64_t here = 0;
      for (auto i : g.layers) {
        if (!on_stage(i)) continue;
        ++here;
        const VSpec& s = *p->per_layer[i];
        auto lb = product("layer bytes", request.batch, blocks, s.page);
        if (!lb) return lb.error();
        // A DSA indexer's layer is an extra component (JSON extra_bytes), beside the layer it indexes.
        std::int64_t& into = i >= n && s.kind != VKind::mamba ? out.extra_bytes : out.per_layer_bytes[i % n];
        auto layer_total = sum("layer bytes", into, *lb);
        if (!layer_total) return layer_total.error();
        into = *layer_total;
        if (i < n) out.per_layer_tokens[i] = blocks * s.block;
        if (p->uniform_type) {
          auto bb = sum("bytes per block", bytes_per_block, s.page);
          if (!bb) return bb.error();
          bytes_per_block = *bb;
        }
        if (s.kind == VKind::mamba) {
          auto st = sum("the cache size", out.state_bytes, *lb);
          if (!st) return st.error();
          out.state_bytes = *st;
        } else {
          auto tokens = product("K/V bytes", request.batch, blocks, s.block);
          if (!tokens) return tokens.error();
          auto kb = product("K bytes", *tokens, s.k_bytes_per_token);
          auto vb = product("V bytes", *tokens, s.v_bytes_per_token);
          if (!kb) return kb.error();
          if (!vb) return vb.error();
          if (auto st = add_kv_totals(out, *kb, *vb); !st) return st.error();
        }
      }
      group_size = std::max(group_size, here);
    }
    if (!p->uniform_type) {
      auto bb = product("bytes per block", p->page, group_size);
      if (!bb) return bb.error();
      bytes_per_block = *bb;
    }
    auto total = product("the cache size", request.batch, blocks_req, bytes_per_block);
    if (!total) return total.error();
    out.total_bytes = *total;
    out.peak_bytes = *total;  // blocks are allocated up front (gpu_memory_utilization): no prefill peak
    out.kv_bytes = out.total_bytes - out.state_bytes;
    // The attention groups' block (a Mamba group's block is a bookkeeping unit: one page per request).
    std::optional<std::int64_t> attn_block;
    for (const Group& g : p->groups)
      if (g.spec.kind != VKind::mamba) attn_block = std::min(attn_block.value_or(g.spec.block), g.spec.block);
    out.block_size = attn_block.value_or(o.block_size);
    if (!p->uniform_type) out.page_bytes = p->page;
    out.bytes_per_block = bytes_per_block;
    out.blocks_per_request = blocks_req;
    out.kv_groups = static_cast<std::int64_t>(p->groups.size());
    out.group_size = group_size;
    out.layers_per_rank = end_layer - first_layer;
    if (!have || out.total_bytes > best.total_bytes) {
      best = std::move(out);
      have = true;
    }
  }
  if (const std::int64_t pad = best.kv_bytes - best.k_bytes - best.v_bytes; pad > 0)
    best.notes.push_back(fmt::format("{} bytes of the pool are padding layers of unequal groups", pad));
  if (request.tp > 1 && spec.count(LayerKind::mla) > 0)
    best.notes.push_back("MLA: the latent is replicated whole on every tensor-parallel rank");
  if (request.tp > 1 && spec.count(LayerKind::recurrent) > 0)
    best.notes.push_back("recurrent state split evenly across tensor-parallel ranks (approximation)");
  if (request.tp > 1 || request.pp > 1)
    best.notes.push_back(fmt::format("per-rank figures (tp {}, pp {}: the stage holding the most cache)",
                                     request.tp, request.pp));
  finish(best);
  return best;
}

Result<VllmCapacity> vllm_capacity(const ModelCacheSpec& spec, const RuntimeRequest& request,
                                   std::int64_t kv_memory) {
  RuntimeRequest one = request;
  one.runtime = Runtime::vllm;
  one.batch = 1;
  auto s = size_runtime(spec, one);
  if (!s) return s.error();
  VllmCapacity c;
  c.blocks_per_request = s->blocks_per_request.value_or(0);
  const std::int64_t per_block = s->bytes_per_block.value_or(0);
  c.num_blocks = per_block > 0 ? std::max<std::int64_t>(0, kv_memory) / per_block : 0;
  c.max_concurrency = c.blocks_per_request > 0
                          ? static_cast<double>(c.num_blocks) / static_cast<double>(c.blocks_per_request)
                          : 0;
  return c;
}

}  // namespace kvspec
