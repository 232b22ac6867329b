// Random specs × contexts × batches × dtypes → exact sizing, checked against the same sums done in 128-bit
// integers: whatever fits in int64 must come out exact, whatever does not must be an overflow error, never a
// wrapped number. The first byte can also select the CLI's quantity parsers (units.hpp).
#include <cstdint>
#include <string>

#include "kvspec/dtype.hpp"
#include "kvspec/plan.hpp"
#include "kvspec/report.hpp"
#include "kvspec/runtime.hpp"
#include "kvspec/size.hpp"
#include "kvspec/units.hpp"
#include "targets/fuzz_check.hpp"
#include "targets/targets.hpp"

namespace kvspec::fuzz {

namespace {

constexpr CacheDType kAllTypes[] = {CacheDType::f32,      CacheDType::f16,      CacheDType::bf16,
                                    CacheDType::fp8_e4m3, CacheDType::fp8_e5m2, CacheDType::q8_0,
                                    CacheDType::q4_0,     CacheDType::q4_1,     CacheDType::q5_0,
                                    CacheDType::q5_1,     CacheDType::iq4_nl};

CacheDType pick_type(ByteReader& r) {
  return kAllTypes[r.u8() % (sizeof kAllTypes / sizeof kAllTypes[0])];
}

// Heads and head dims: mostly within kMaxSpecHeads / kMaxSpecHeadDim (2^24), sometimes at or past the edge.
std::int64_t dim(ByteReader& r, bool negative) {
  switch (r.u8() % 4) {
    case 0:
      return (std::int64_t{1} << 24) + r.range(-1, 1);
    case 1:
      return r.count(negative);
    default:
      return r.range(0, std::int64_t{1} << 24);
  }
}

std::optional<std::int64_t> maybe(ByteReader& r, bool negative) {
  if (r.u8() % 3 == 0) return std::nullopt;
  return r.count(negative);
}

// Builds a spec; `negative` lets some fields go below zero (a spec no reader produces, but the struct is
// public).
ModelCacheSpec random_spec(ByteReader& r, bool negative) {
  ModelCacheSpec spec;
  spec.model_type = "fuzz";
  spec.source = "fuzz";
  const auto n = r.range(0, 48);
  for (std::int64_t i = 0; i < n; ++i) {
    LayerSpec l;
    l.kind = static_cast<LayerKind>(r.u8() % 8);
    l.num_kv_heads = dim(r, negative);
    l.head_dim_k = dim(r, negative);
    l.head_dim_v = r.u8() % 2 ? l.head_dim_k : dim(r, negative);
    l.window = maybe(r, negative);
    l.state_bytes = r.u8() % 2 ? 0 : r.count(negative);
    l.conv_state_values = r.u8() % 2 ? 0 : r.count(negative);
    l.recurrent_state_values = r.u8() % 2 ? 0 : r.count(negative);
    l.fixed_tokens = maybe(r, negative);
    if (l.kind == LayerKind::shared) l.shares_with = static_cast<std::int32_t>(r.range(negative ? -1 : 0, n));
    spec.layers.push_back(l);
  }
  if (!spec.layers.empty()) {
    spec.head_dim = spec.layers[0].head_dim_k;
    spec.num_attention_heads = spec.layers[0].num_kv_heads;
  }
  spec.sliding_window = maybe(r, false);
  spec.max_position_embeddings = maybe(r, false);
  return spec;
}

// Saturating unsigned 128-bit arithmetic: kOver marks "does not fit in int64".
__extension__ typedef unsigned __int128 U;  // __extension__: -Wpedantic knows no __int128
constexpr U kOver = static_cast<U>(INT64_MAX) + 1;

struct Oracle {
  bool overflow = false;
  U mul(U a, U b) {
    U r = a * b;  // both < 2^63 here
    if (r >= kOver) overflow = true;
    return r >= kOver ? kOver : r;
  }
  U add(U a, U b) {
    U r = a + b;
    if (r >= kOver) overflow = true;
    return r >= kOver ? kOver : r;
  }
  U row(CacheDType t, U values) {
    const DTypeInfo& i = info(t);
    U bv = static_cast<U>(i.block_values);
    return mul((values + bv - 1) / bv, static_cast<U>(i.block_bytes));
  }
};

bool owns_kv(LayerKind k) {
  return k == LayerKind::full_attention || k == LayerKind::sliding_attention ||
         k == LayerKind::chunked_attention || k == LayerKind::mla || k == LayerKind::cross_attention;
}

// Does the spec break a precondition of sizing (validate_for_sizing, size.hpp)? Then it must be refused.
bool invalid_for_sizing(const ModelCacheSpec& spec) {
  const auto n = static_cast<std::int64_t>(spec.layers.size());
  auto out = [](std::int64_t v, std::int64_t hi) { return v < 0 || v > hi; };
  for (const LayerSpec& l : spec.layers) {
    if (out(l.num_kv_heads, kMaxSpecHeads) || out(l.head_dim_k, kMaxSpecHeadDim) ||
        out(l.head_dim_v, kMaxSpecHeadDim))
      return true;
    if ((l.window && (*l.window < 1 || *l.window > kMaxSpecTokens)) ||
        (l.fixed_tokens && out(*l.fixed_tokens, kMaxSpecTokens)))
      return true;
    if (out(l.state_bytes, kMaxSpecState) || out(l.conv_state_values, kMaxSpecState) ||
        out(l.recurrent_state_values, kMaxSpecState))
      return true;
    if (l.shares_with && (*l.shares_with < 0 || *l.shares_with >= n)) return true;
  }
  return false;
}

U tokens_held(const LayerSpec& l, std::int64_t context) {
  switch (l.kind) {
    case LayerKind::sliding_attention:
    case LayerKind::chunked_attention:
      return static_cast<U>(l.window && *l.window < context ? *l.window : context);
    case LayerKind::cross_attention:
      return static_cast<U>(l.fixed_tokens.value_or(0));
    default:
      return static_cast<U>(context);
  }
}

void check_exact(const ModelCacheSpec& spec, const SizeRequest& req) {
  auto got = size_exact(spec, req);
  auto per_token = kv_bytes_per_token(spec, req.k_dtype, req.v_dtype);
  if (invalid_for_sizing(spec)) {
    KVSPEC_FUZZ_CHECK(!per_token.ok(), "an invalid spec must be refused");
    KVSPEC_FUZZ_CHECK(!got.ok(), "an invalid spec must be refused");
    return;
  }
  if (req.context <= 0 || req.batch <= 0) {
    KVSPEC_FUZZ_CHECK(!got.ok(), "an invalid request must be refused");
    return;
  }
  Oracle o;
  Oracle o_tok;
  U kv = 0, state = 0, tok = 0;
  std::vector<U> per_layer;
  for (const LayerSpec& l : spec.layers) {
    U layer_kv = 0;
    if (owns_kv(l.kind)) {
      U heads = static_cast<U>(l.num_kv_heads);
      U k = o.row(req.k_dtype, o.mul(heads, static_cast<U>(l.head_dim_k)));
      U v = o.row(req.v_dtype, o.mul(heads, static_cast<U>(l.head_dim_v)));
      U pt = o.add(k, v);
      if (l.kind != LayerKind::cross_attention) {
        U k2 = o_tok.row(req.k_dtype, o_tok.mul(heads, static_cast<U>(l.head_dim_k)));
        U v2 = o_tok.row(req.v_dtype, o_tok.mul(heads, static_cast<U>(l.head_dim_v)));
        tok = o_tok.add(tok, o_tok.add(k2, v2));
      }
      U held = tokens_held(l, req.context);
      layer_kv = held == 0 ? 0 : o.mul(o.mul(pt, held), static_cast<U>(req.batch));
    }
    U layer_state = o.mul(static_cast<U>(l.state_bytes), static_cast<U>(req.batch));
    per_layer.push_back(o.add(layer_kv, layer_state));
    kv = o.add(kv, layer_kv);
    state = o.add(state, layer_state);
  }
  U total = o.add(kv, state);
  if (o.overflow) {
    KVSPEC_FUZZ_CHECK(!got.ok(), "sizes past int64 must be an error, not a wrapped value");
    KVSPEC_FUZZ_CHECK(got.error().code == ErrorCode::usage);
  } else {
    KVSPEC_FUZZ_CHECK(got.ok(), got ? "" : got.error().message());
    KVSPEC_FUZZ_CHECK(static_cast<U>(got->total_bytes) == total && static_cast<U>(got->kv_bytes) == kv &&
                      static_cast<U>(got->state_bytes) == state);
    KVSPEC_FUZZ_CHECK(got->per_layer_bytes.size() == per_layer.size());
    for (std::size_t i = 0; i < per_layer.size(); ++i)
      KVSPEC_FUZZ_CHECK(static_cast<U>(got->per_layer_bytes[i]) == per_layer[i]);
  }
  if (o_tok.overflow) {
    KVSPEC_FUZZ_CHECK(!per_token.ok());
  } else {
    KVSPEC_FUZZ_CHECK(per_token.ok() && static_cast<U>(*per_token) == tok);
  }
  // A spec whose sizes fit renders, with and without the cache.
  if (got) {
    ReportOptions with{req.k_dtype, *got};
    KVSPEC_FUZZ_CHECK(render_text(spec, with).ok());
    KVSPEC_FUZZ_CHECK(render_json(spec, with).ok());
  }
}

// Every runtime profile with random options: a size or an error, never UB; a size is self-consistent.
void check_runtimes(ByteReader& r, const ModelCacheSpec& spec, const SizeRequest& base, bool invalid) {
  RuntimeRequest req;
  req.context = base.context;
  req.batch = base.batch;
  req.k_dtype = base.k_dtype;
  req.v_dtype = base.v_dtype;
  req.tp = r.u8() % 4 == 0 ? r.count(true) : 1;
  req.pp = r.u8() % 4 == 0 ? r.count(true) : 1;
  req.llama_cpp.kv_unified = r.u8() % 2;
  req.llama_cpp.ubatch = r.u8() % 4 == 0 ? r.count(true) : 512;
  req.llama_cpp.flash_attn = static_cast<FlashAttn>(r.u8() % 3);
  req.llama_cpp.swa_full = r.u8() % 2;
  if (r.u8() % 2) req.mlx.kv_bits = r.u8() % 4 == 0 ? r.count(true) : (r.u8() % 2 ? 4 : 8);
  req.mlx.kv_group_size = r.u8() % 4 == 0 ? r.count(true) : 64;
  req.vllm.block_size = r.u8() % 4 == 0 ? r.count(true) : 16;
  req.vllm.max_num_batched_tokens = r.u8() % 4 == 0 ? r.count(true) : 8192;
  for (Runtime rt :
       {Runtime::exact, Runtime::llama_cpp, Runtime::mlx, Runtime::vllm, Runtime::transformers}) {
    req.runtime = rt;
    auto got = size_runtime(spec, req);
    if (invalid) KVSPEC_FUZZ_CHECK(!got.ok(), "an invalid spec must be refused");
    if (!got) {
      KVSPEC_FUZZ_CHECK(got.error().code != ErrorCode::internal, got.error().message());
      continue;
    }
    KVSPEC_FUZZ_CHECK(got->kv_bytes >= 0 && got->state_bytes >= 0 && got->k_bytes >= 0 && got->v_bytes >= 0);
    KVSPEC_FUZZ_CHECK(got->total_bytes == got->kv_bytes + got->state_bytes, std::string(to_string(rt)));
    if (rt == Runtime::vllm) (void)vllm_capacity(spec, req, r.count(true));
  }
  // The planner searches those sizes; a budget from a few bytes to 2^63.
  if (r.u8() % 4 == 0 && !invalid) {
    FitRequest fr;
    fr.memory = r.count(true);
    fr.reserve = r.u8() % 2 ? 0 : r.count(true);
    fr.target = r.u8() % 2 ? FitTarget::context : FitTarget::batch;
    req.runtime = static_cast<Runtime>(r.u8() % 5);
    fr.runtime = req;
    fr.weights.bytes = r.count(true);
    if (r.u8() % 2) fr.max_context = r.count(true);
    auto fit_result = kvspec::fit(spec, fr);
    if (fit_result) {
      KVSPEC_FUZZ_CHECK(render_fit_text(spec, *fit_result).ok());
      KVSPEC_FUZZ_CHECK(render_fit_json(spec, *fit_result).ok());
    } else {
      KVSPEC_FUZZ_CHECK(fit_result.error().code != ErrorCode::internal, fit_result.error().message());
    }
  }
}

void check_units(ByteReader& r) {
  std::int64_t n = static_cast<std::int64_t>(r.u64());
  (void)format_bytes(n);
  (void)format_count(n);
  std::string_view text = r.rest();
  if (auto c = parse_count(text)) KVSPEC_FUZZ_CHECK(*c > 0 && *c <= (std::int64_t{1} << 40));
  if (auto b = parse_bytes(text)) KVSPEC_FUZZ_CHECK(*b >= 0);
}

}  // namespace

void size_one(std::string_view bytes) {
  ByteReader r(bytes);
  std::uint8_t mode = r.u8();
  if (mode % 8 == 0) {
    check_units(r);
    return;
  }
  bool negative = mode % 8 == 1;
  ModelCacheSpec spec = random_spec(r, negative);
  SizeRequest req;
  req.context = r.u8() % 16 == 0 ? -r.range(0, 4) : r.count(false);
  req.batch = r.u8() % 16 == 0 ? 0 : r.range(1, r.u8() % 2 ? 8 : INT64_MAX);
  req.k_dtype = pick_type(r);
  req.v_dtype = r.u8() % 2 ? req.k_dtype : pick_type(r);
  check_exact(spec, req);
  check_runtimes(r, spec, req, invalid_for_sizing(spec));
}

}  // namespace kvspec::fuzz
