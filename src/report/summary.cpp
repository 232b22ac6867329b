#include "report/summary.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "kvspec/units.hpp"

namespace kvspec {

namespace {

std::string_view short_kind(LayerKind k) {
  switch (k) {
    case LayerKind::full_attention:
      return "full";
    case LayerKind::sliding_attention:
      return "sliding";
    case LayerKind::chunked_attention:
      return "chunked";
    case LayerKind::mla:
      return "mla";
    case LayerKind::recurrent:
      return "recurrent";
    case LayerKind::shared:
      return "shared";
    case LayerKind::cross_attention:
      return "cross";
    case LayerKind::none:
      return "none";
  }
  return "?";
}

}  // namespace

std::string kinds_phrase(const ModelCacheSpec& spec) {
  std::string out;
  for (auto k :
       {LayerKind::full_attention, LayerKind::sliding_attention, LayerKind::chunked_attention, LayerKind::mla,
        LayerKind::recurrent, LayerKind::shared, LayerKind::cross_attention, LayerKind::none}) {
    auto n = spec.count(k);
    if (n == 0) continue;
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", n, short_kind(k));
  }
  return out.empty() ? "none" : out;
}

std::string window_phrase(const ModelCacheSpec& spec) {
  std::string out;
  if (spec.sliding_window && spec.count(LayerKind::sliding_attention) > 0)
    out = fmt::format("{}", *spec.sliding_window);
  if (spec.count(LayerKind::chunked_attention) > 0 && spec.attention_chunk_size)
    out += (out.empty() ? "" : ", ") + fmt::format("chunk {}", *spec.attention_chunk_size);
  return out.empty() ? "—" : out;
}

std::string moe_phrase(const ModelCacheSpec& spec) {
  if (!spec.moe) return "—";
  std::string out =
      fmt::format("{} experts, {} per token", spec.moe->num_experts, spec.moe->experts_per_token);
  if (spec.moe->num_shared_experts > 0) out += fmt::format(", {} shared", spec.moe->num_shared_experts);
  return out;
}

std::string quant_phrase(const ModelCacheSpec& spec) {
  if (!spec.quantization) return "—";
  const Quantization& q = *spec.quantization;
  std::string out = q.method;
  if (q.bits) out += fmt::format(" {}-bit", *q.bits);
  if (q.group_size == -1)
    out += ", per-channel scales (group size -1)";
  else if (q.group_size)
    out += fmt::format(", group size {}", *q.group_size);
  return out;
}

std::string heads_phrase(const ModelCacheSpec& spec) {
  std::set<std::int64_t> values;
  for (const auto& l : spec.layers)
    if (l.owns_kv()) values.insert(l.num_kv_heads);
  if (values.empty()) return "0";
  if (values.size() == 1) return std::to_string(*values.begin());
  return fmt::format("{}–{} per layer", *values.begin(), *values.rbegin());
}

std::string head_dim_phrase(const ModelCacheSpec& spec) {
  std::set<std::pair<std::int64_t, std::int64_t>> dims;
  for (const auto& l : spec.layers)
    if (l.owns_kv()) dims.insert({l.head_dim_k, l.head_dim_v});
  if (dims.empty()) return std::to_string(spec.head_dim);
  std::string out;
  for (auto [k, v] : dims) {
    if (!out.empty()) out += ", ";
    out += k == v ? std::to_string(k) : fmt::format("K {} / V {}", k, v);
  }
  return out;
}

std::string short_name(const std::string& source) {
  std::string s = source;
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  auto cut = [](std::string& p) {
    auto slash = p.find_last_of('/');
    return slash == std::string::npos ? p : p.substr(slash + 1);
  };
  std::string last = cut(s);
  if (last == "config.json" && s.find('/') != std::string::npos) {
    s = s.substr(0, s.find_last_of('/'));
    last = cut(s);
  }
  return last.empty() ? source : last;
}

std::size_t display_width(std::string_view s) {
  std::size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

std::string_view display_prefix(std::string_view s, std::size_t width) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (n == width) return s.substr(0, i);
      ++n;
    }
  }
  return s;
}

std::string params_count(std::int64_t n) {
  if (n >= 1'000'000'000) return fmt::format("{:.2f} B", static_cast<double>(n) / 1e9);
  if (n >= 1'000'000) return fmt::format("{:.1f} M", static_cast<double>(n) / 1e6);
  return std::to_string(n);
}

std::string weights_size_phrase(const WeightsSummary& w) {
  std::string size = format_bytes(w.total_bytes);
  if (w.total_bytes >= 1024) size += fmt::format(" ({} B)", w.total_bytes);
  return fmt::format("{} in {} file{}, {} tensors", size, w.files.size(), w.files.size() == 1 ? "" : "s",
                     w.tensors);
}

std::string params_phrase(const WeightsSummary& w) {
  std::string out = params_count(w.parameters);
  if (w.parameters >= 1'000'000) out += fmt::format(" ({})", w.parameters);
  if (w.active_parameters)
    out +=
        fmt::format(", {} active per token ({})", params_count(*w.active_parameters), *w.active_parameters);
  return out;
}

std::string dtype_mix_phrase(const WeightsSummary& w) {
  std::string out;
  for (const auto& d : w.by_dtype) {
    if (!out.empty()) out += ", ";
    double pct =
        w.total_bytes > 0 ? 100.0 * static_cast<double>(d.bytes) / static_cast<double>(w.total_bytes) : 0;
    out += pct > 0 && pct < 0.05 ? fmt::format("{} <0.1%", d.name) : fmt::format("{} {:.1f}%", d.name, pct);
  }
  return out.empty() ? "—" : out;
}

std::string packing_phrase(const WeightsSummary& w) {
  if (w.packing.empty()) return "—";
  std::string out = w.packing;
  if (w.packed_tensors > 0) out += fmt::format(": {} packed tensors", w.packed_tensors);
  if (w.quantization_overhead_bytes > 0)
    out += fmt::format("{} {} in scales and zero points", w.packed_tensors > 0 ? "," : ":",
                       format_bytes(w.quantization_overhead_bytes));
  return out;
}

}  // namespace kvspec
