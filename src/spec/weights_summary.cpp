#include "spec/weights_summary.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <string>

#include <fmt/format.h>

#include "util/checked.hpp"

namespace kvspec {

namespace {

// Quantizer side tensors whose names say what they are: FP8 / compressed-tensors / ModelOpt scales and zero
// points (vLLM model_executor/layers/quantization/{fp8,compressed_tensors,modelopt}.py), bitsandbytes 8-bit
// `SCB`.
constexpr std::array<std::string_view, 18> kQuantSideLeaves{"weight_scale",
                                                            "weight_scale_inv",
                                                            "weight_scale_2",
                                                            "input_scale",
                                                            "input_scale_inv",
                                                            "output_scale",
                                                            "k_scale",
                                                            "v_scale",
                                                            "q_scale",
                                                            "kv_scale",
                                                            "prob_scale",
                                                            "weight_zero_point",
                                                            "weight_g_idx",
                                                            "weight_shape",
                                                            "weight_global_scale",
                                                            "input_global_scale",
                                                            "SCB",
                                                            "weight_format"};
// bitsandbytes 4-bit keeps its quant state under `<module>.weight.<part>` (bitsandbytes nn/modules.py
// Params4bit).
constexpr std::array<std::string_view, 5> kBnbStateParts{"absmax", "quant_map", "nested_absmax",
                                                         "nested_quant_map", "quant_state"};

template <std::size_t N>
bool in(std::string_view s, const std::array<std::string_view, N>& set) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

bool is_integer(st::DType t) {
  return !st::is_float(t) && t != st::DType::BOOL;
}

const json::Value* object_at(const json::Value& v, std::string_view key) {
  const json::Value* o = v.find(key);
  return o != nullptr && o->is_object() ? o : nullptr;
}

std::optional<std::int64_t> int_at(const json::Value* o, std::string_view key) {
  if (o == nullptr) return std::nullopt;
  const json::Value* v = o->find(key);
  if (v == nullptr || !v->is_int() || v->as_int() <= 0 || v->as_int() > 64) return std::nullopt;
  return v->as_int();
}

// What the config says about quantization bits.
struct QuantConfig {
  const json::Value* mlx = nullptr;  // `quantization` (mlx-lm), possibly with per-module overrides
  const json::Value* hf = nullptr;   // `quantization_config`
  std::string method;                // quant_method, or "mlx"

  // mlx-lm writes per-module settings under the module path (mlx_lm/utils.py quantize_model, mixed
  // quantization):
  // {"bits": 4, "group_size": 64, "model.layers.0.mlp.down_proj": {"bits": 6, "group_size": 64}}.
  [[nodiscard]] std::optional<std::int64_t> mlx_bits(std::string_view module) const {
    if (mlx != nullptr) {
      if (const json::Value* o = object_at(*mlx, module)) return int_at(o, "bits");
      if (auto b = int_at(mlx, "bits")) return b;
    }
    return int_at(hf, "bits");
  }
  // GPTQ / AWQ `bits`; compressed-tensors config_groups.*.weights.num_bits.
  [[nodiscard]] std::optional<std::int64_t> packed_bits() const {
    if (auto b = int_at(hf, "bits")) return b;
    if (hf != nullptr)
      if (const json::Value* groups = object_at(*hf, "config_groups"))
        for (const auto& [name, g] : groups->as_object())
          if (g.is_object())
            if (auto b = int_at(object_at(g, "weights"), "num_bits")) return b;
    return int_at(mlx, "bits");
  }
};

QuantConfig quant_config(const json::Value& root) {
  QuantConfig q;
  q.mlx = object_at(root, "quantization");
  q.hf = object_at(root, "quantization_config");
  if (q.hf != nullptr)
    if (const json::Value* m = q.hf->find("quant_method"); m != nullptr && m->is_string())
      q.method = m->as_string();
  if (q.method.empty() && q.mlx != nullptr) q.method = "mlx";
  return q;
}

// How one tensor counts.
struct Role {
  bool overhead = false;             // quantization side data: bytes, no parameters
  std::optional<std::int64_t> bits;  // packed: bits per parameter (elements × dtype bits / bits = parameters)
  bool packed = false;
  std::string method;  // for the packing label
};

Role role_of(const st::Tensor& t, const TensorIndex& index, const QuantConfig& q) {
  auto has = [&](const std::string& name) { return index.count(name) != 0; };
  auto get = [&](const std::string& name) -> const st::Tensor* {
    auto it = index.find(name);
    return it == index.end() ? nullptr : it->second;
  };
  std::string_view name = t.name;
  std::size_t dot = name.rfind('.');
  std::string prefix(dot == std::string_view::npos ? std::string_view() : name.substr(0, dot));
  std::string_view leaf = dot == std::string_view::npos ? name : name.substr(dot + 1);
  Role r;

  // Side data of a packing.
  if (in(leaf, kQuantSideLeaves)) return Role{true, {}, false, {}};
  if ((leaf == "scales" || leaf == "biases") && !prefix.empty()) {
    const st::Tensor* w = get(prefix + ".weight");
    if ((w != nullptr && is_integer(w->dtype)) || has(prefix + ".qweight")) return Role{true, {}, false, {}};
  }
  if ((leaf == "qzeros" || leaf == "g_idx") && has(prefix + ".qweight")) return Role{true, {}, false, {}};
  {
    // bitsandbytes: <module>.weight.absmax, <module>.weight.quant_state.bitsandbytes__nf4, ...
    std::size_t w = name.find(".weight.");
    if (w != std::string_view::npos) {
      std::string_view part = name.substr(w + 8);
      part = part.substr(0, part.find('.'));
      if (in(part, kBnbStateParts)) return Role{true, {}, false, {}};
    }
  }
  // gpt-oss MXFP4: <module>.<name>_blocks (U8, two FP4 values per byte) with <name>_scales (U8 exponents).
  if (leaf.size() > 7 && leaf.substr(leaf.size() - 7) == "_scales" &&
      has(prefix + "." + std::string(leaf.substr(0, leaf.size() - 7)) + "_blocks"))
    return Role{true, {}, false, {}};

  // Packed parameters.
  if (leaf == "qweight") return Role{false, q.packed_bits(), true, q.method.empty() ? "gptq" : q.method};
  if (leaf == "weight_packed") {
    auto b = q.packed_bits();
    if (!b && t.dtype == st::DType::U8) b = 4;  // compressed-tensors nvfp4-pack-quantized
    return Role{false, b, true, q.method.empty() ? "compressed-tensors" : q.method};
  }
  if (leaf.size() > 7 && leaf.substr(leaf.size() - 7) == "_blocks" && t.dtype == st::DType::U8 &&
      has(prefix + "." + std::string(leaf.substr(0, leaf.size() - 7)) + "_scales"))
    return Role{false, 4, true, "mxfp4"};
  if (leaf == "weight" && is_integer(t.dtype)) {
    if (has(prefix + ".scales")) return Role{false, q.mlx_bits(prefix), true, "mlx"};
    if (t.dtype == st::DType::U8 && has(prefix + ".weight.absmax"))
      return Role{false, 4, true, "bitsandbytes"};
    if (const st::Tensor* s = get(prefix + ".weight_scale");
        t.dtype == st::DType::U8 && s != nullptr && s->dtype == st::DType::F8_E4M3)
      return Role{false, 4, true, "nvfp4"};  // ModelOpt NVFP4: U8 [out, in/2] + F8_E4M3 block scales
  }
  if (t.dtype == st::DType::F8_E4M3 || t.dtype == st::DType::F8_E5M2) r.method = "fp8";
  return r;
}

std::string packing_label(const std::map<std::string, std::set<std::int64_t>>& seen) {
  std::string out;
  for (const auto& [method, bits] : seen) {
    if (!out.empty()) out += " + ";
    out += method;
    if (!bits.empty()) {
      std::string b;
      for (auto x : bits) b += (b.empty() ? "" : "/") + std::to_string(x);
      if (method != "fp8") out += " " + b + "-bit";
    }
  }
  return out;
}

}  // namespace

Result<WeightsSummary> summarize_weights(const st::Checkpoint& ck, const TensorIndex& index,
                                         const json::Value& config_root, const ModelCacheSpec& spec,
                                         std::vector<Note>& notes) {
  WeightsSummary s;
  QuantConfig q = quant_config(config_root);
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> dtype_totals;  // bytes, parameters
  std::array<std::pair<std::int64_t, std::int64_t>, 9> comp{};
  std::map<std::string, std::set<std::int64_t>> packing;
  std::int64_t expert_params = 0;
  std::int64_t unknown_bits = 0;
  std::string unknown_example;
  auto overflow = [&](const std::string& file) {
    return make_error(ErrorCode::bad_input, file, "", "weights whose total fits in 64 bits", "an overflow");
  };

  for (const auto& f : ck.files) {
    WeightsFile wf{f.path, static_cast<std::int64_t>(f.tensors.size()), 8 + f.header_size, f.data_bytes,
                   f.data_present};
    s.files.push_back(wf);
    for (const auto& t : f.tensors) {
      Role r = role_of(t, index, q);
      std::int64_t params = 0;
      if (r.overhead) {
        params = 0;  // its bytes go to quantization_overhead_bytes once the totals are checked, below
      } else if (r.packed && r.bits) {
        // elements × storage bits / bits per parameter, e.g. MLX U32 [out, in·4/32] → out × in at 4 bits.
        auto stored = checked_mul(t.elements(), st::bits(t.dtype));
        if (!stored) return overflow(f.path);
        if (*stored % *r.bits != 0) {
          notes.push_back(
              {Note::Level::warning,
               fmt::format("{}: {} stored bits do not divide into {}-bit parameters; counted as {} "
                           "elements",
                           t.name, *stored, *r.bits, t.elements())});
          params = t.elements();
        } else {
          params = *stored / *r.bits;
        }
        ++s.packed_tensors;
        packing[r.method].insert(*r.bits);
      } else if (r.packed) {
        params = t.elements();
        ++s.packed_tensors;
        ++unknown_bits;
        if (unknown_example.empty()) unknown_example = t.name;
        packing[r.method];
      } else {
        params = t.elements();
        if (!r.method.empty()) packing[r.method];
      }
      auto tokens = split_name(t.name);
      WeightComponent c = classify_component(tokens);
      auto& [cb, cp] = comp[static_cast<std::size_t>(c)];
      auto& [db, dp] = dtype_totals[std::string(st::to_string(t.dtype))];
      auto add = [](std::int64_t& acc, std::int64_t v) {
        auto r2 = checked_add(acc, v);
        if (r2) acc = *r2;
        return r2.has_value();
      };
      if (!add(s.total_bytes, t.bytes()) || !add(s.parameters, params) || !add(cb, t.bytes()) ||
          !add(cp, params) || !add(db, t.bytes()) || !add(dp, params))
        return overflow(f.path);
      // Both are parts of totals just checked (s.total_bytes, s.parameters), so neither can overflow.
      if (r.overhead) s.quantization_overhead_bytes += t.bytes();
      if (c == WeightComponent::moe_experts) expert_params += params;
      ++s.tensors;
    }
  }
  if (unknown_bits > 0)
    notes.push_back(
        {Note::Level::warning,
         fmt::format("{} packed tensors (e.g. {}) but the config states no quantization bits: their "
                     "parameters are counted as stored elements",
                     unknown_bits, unknown_example)});
  for (const auto& [name, v] : dtype_totals) s.by_dtype.push_back({name, v.first, v.second});
  std::stable_sort(s.by_dtype.begin(), s.by_dtype.end(),
                   [](const WeightsPart& a, const WeightsPart& b) { return a.bytes > b.bytes; });
  for (std::size_t i = 0; i < comp.size(); ++i)
    if (comp[i].first > 0 || comp[i].second > 0)
      s.by_component.push_back(
          {std::string(to_string(static_cast<WeightComponent>(i))), comp[i].first, comp[i].second});
  s.packing = packing_label(packing);
  s.header_bytes_read = ck.bytes_read;

  // Active per token: experts_per_token of num_experts routed experts, everything else always.
  if (spec.moe && spec.moe->num_experts > 0 && spec.moe->experts_per_token > 0 && expert_params > 0) {
    // validate_spec keeps experts_per_token ≤ num_experts, so this never exceeds s.parameters; still checked.
    auto routed = checked_mul(expert_params, spec.moe->experts_per_token);
    auto active = checked_sub(s.parameters, expert_params);
    if (active && routed) active = checked_add(*active, *routed / spec.moe->num_experts);
    if (!active) return overflow(ck.dir);
    s.active_parameters = *active;
  }
  return s;
}

}  // namespace kvspec
