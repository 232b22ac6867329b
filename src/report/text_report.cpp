// The human summary of `kvspec inspect` and the side-by-side table of `kvspec compare`.
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "kvspec/escape.hpp"
#include "kvspec/report.hpp"
#include "kvspec/units.hpp"
#include "report/summary.hpp"

namespace kvspec {

namespace {

// Values carry text from the model's files (model_type, quantization method, dtypes, file type names):
// escaped.
void row(std::string& out, std::string_view label, std::string_view value) {
  // A label past the column still gets one space before its value.
  out += fmt::format("  {:<14} {}\n", escape_for_terminal(label), escape_for_terminal(value));
}

std::string bytes_with_exact(std::int64_t b) {
  std::string h = format_bytes(b);
  return b >= 1024 ? fmt::format("{} ({} B)", h, b) : h;
}

// The size table: one row per (kind, window) group, then the total.
void size_table(std::string& out, const ModelCacheSpec& spec, const CacheSize& c) {
  out += fmt::format("\ncache at {} tokens × {} sequence{}, K {} / V {} ({} runtime)\n", c.context, c.batch,
                     c.batch == 1 ? "" : "s", to_string(c.k_dtype), to_string(c.v_dtype), c.runtime);
  struct Group {
    std::int64_t layers = 0;
    std::int64_t tokens = 0;
    std::int64_t bytes = 0;
  };
  std::map<std::string, Group> groups;
  std::vector<std::string> order;
  for (std::size_t i = 0; i < spec.layers.size(); ++i) {
    const LayerSpec& l = spec.layers[i];
    std::string label = escape_for_terminal(layer_label(l));
    if (l.kind == LayerKind::shared) label = "shared";
    if (!groups.count(label)) order.push_back(label);
    Group& g = groups[label];
    ++g.layers;
    g.tokens = c.per_layer_tokens.empty() ? exact_tokens_held(l, c.context) : c.per_layer_tokens[i];
    g.bytes += c.per_layer_bytes[i];
  }
  out += fmt::format("  {:<18}{:>7}{:>14}{:>16}\n", "kind", "layers", "tokens held", "bytes");
  for (const auto& label : order) {
    const Group& g = groups[label];
    out += fmt::format("  {:<18}{:>7}{:>14}{:>16}\n", label, g.layers, g.tokens, format_bytes(g.bytes));
  }
  if (c.extra_bytes > 0)  // indexer keys, pooled buffers: beside the layers' own rows
    out +=
        fmt::format("  {:<18}{:>7}{:>14}{:>16}\n", "extra components", "", "", format_bytes(c.extra_bytes));
  if (c.state_bytes > 0)
    out +=
        fmt::format("  {:<18}{:>7}{:>14}{:>16}\n", "  of which state", "", "", format_bytes(c.state_bytes));
  out += fmt::format("  {:<18}{:>7}{:>14}{:>16}   ({} B)\n", "total", spec.num_layers(), "",
                     format_bytes(c.total_bytes), c.total_bytes);
  if (c.peak_bytes > c.total_bytes)
    out += fmt::format("  {:<18}{:>7}{:>14}{:>16}   ({} B)\n", "peak (prefill)", "", "",
                       format_bytes(c.peak_bytes), c.peak_bytes);
  if (!c.details.empty()) {
    std::string line;
    for (const auto& d : c.details) {
      bool bytes = d.key.ends_with("_bytes");
      std::string item = fmt::format("{} {}", d.key, bytes ? format_bytes(d.value) : std::to_string(d.value));
      if (line.size() + item.size() > 100) {
        out += "  " + line + "\n";
        line.clear();
      }
      line += (line.empty() ? "" : ", ") + item;
    }
    if (!line.empty()) out += "  " + line + "\n";
  }
  for (const auto& n : c.notes) out += fmt::format("  - {}\n", escape_for_terminal(n));
}

// The GGUF row: what the file says about itself (its weights are in the weights rows).
void gguf_row(std::string& out, const GgufSummary& g) {
  std::string file = fmt::format("v{}, {} tensors, {} metadata keys, alignment {}", g.version, g.tensor_count,
                                 g.metadata_count, g.alignment);
  if (g.split_count > 1) file += fmt::format(", {} splits", g.split_count);
  if (g.file_type)
    file += fmt::format(", file type {}",
                        g.file_type_name.empty() ? std::to_string(*g.file_type) : g.file_type_name);
  if (!g.tensor_data_present) file += " (header only)";
  row(out, "gguf", file);
}

}  // namespace

Result<std::string> render_text(const ModelCacheSpec& spec, const ReportOptions& options) {
  auto per_token = kv_bytes_per_token(spec, options.kv_dtype, options.kv_dtype);
  if (!per_token) return per_token.error();
  std::string out = escape_for_terminal(spec.source) + "\n";
  if (spec.remote) {
    const RemoteInfo& r = *spec.remote;
    std::string where = r.repo.empty() ? r.endpoint : fmt::format("{} {}", r.endpoint, r.repo);
    if (!r.commit.empty()) where += fmt::format(" @ {}", r.commit.substr(0, 12));
    row(out, "from",
        fmt::format("{}: {} request{}, {} read{}", where, r.requests, r.requests == 1 ? "" : "s",
                    format_bytes(r.bytes_read), r.from_cache ? " (files from kvspec's cache)" : ""));
  }
  std::string type = spec.model_type.empty() ? "(none)" : spec.model_type;
  if (spec.text_model_type) type += fmt::format(" (text: {})", *spec.text_model_type);
  row(out, "model type", type);
  row(out, "layers", fmt::format("{}  ({})", spec.num_layers(), kinds_phrase(spec)));
  if (spec.num_attention_heads == 0 && spec.num_kv_heads() == 0)
    row(out, "attention", "none (attention-free)");
  else
    row(out, "attention",
        fmt::format("{} heads, {} KV heads, head dim {}", spec.num_attention_heads, heads_phrase(spec),
                    head_dim_phrase(spec)));
  row(out, "window", window_phrase(spec));
  row(out, "pattern", fmt::format("{}: {}", spec.is_uniform() ? "uniform" : "hybrid", compact_pattern(spec)));
  row(out, "layer strip", layer_strip(spec));
  row(out, "MoE", moe_phrase(spec));
  row(out, "quantization", quant_phrase(spec));
  if (!spec.dtype.empty()) row(out, "dtype", spec.dtype);
  if (spec.gguf) gguf_row(out, *spec.gguf);
  if (spec.max_position_embeddings) row(out, "max positions", std::to_string(*spec.max_position_embeddings));
  row(out, "KV per token",
      fmt::format("{} at {}", bytes_with_exact(*per_token), to_string(options.kv_dtype)));
  if (auto s = spec.state_bytes_per_sequence(); s > 0) row(out, "state per seq", bytes_with_exact(s));
  for (const auto& c : spec.extra_components)
    row(out, c.name, fmt::format("{} per token ({})", bytes_with_exact(c.bytes_per_token), c.note));
  if (spec.weights) {
    row(out, "weights", weights_size_phrase(*spec.weights));
    row(out, "parameters", params_phrase(*spec.weights));
    row(out, "weight dtypes", dtype_mix_phrase(*spec.weights));
    if (!spec.weights->packing.empty()) row(out, "weight quant", packing_phrase(*spec.weights));
  }
  if (options.cache) size_table(out, spec, *options.cache);
  if (!spec.notes.empty()) {
    out += "\nnotes\n";
    for (const Note& n : spec.notes)
      out += fmt::format("  {} {}\n", n.level == Note::Level::warning ? "warning:" : "-",
                         escape_for_terminal(n.text));
  }
  return escape_report_lines(out);
}

Result<std::string> render_compare(const std::vector<CompareEntry>& models, const ReportOptions& options) {
  std::size_t i = 0;
  return render_compare_stream(
      [&]() -> Result<std::optional<CompareEntry>> {
        return i < models.size() ? std::optional<CompareEntry>(models[i++]) : std::nullopt;
      },
      options);
}

Result<std::string> render_compare_stream(const NextCompareEntry& next, const ReportOptions& options) {
  std::vector<std::string> labels = {"model",        "model type", "layers",     "KV heads",
                                     "head dim",     "window",     "pattern",    "MoE",
                                     "quantization", "KV / token", "state / seq"};
  // Each model's cells (the cache cell last, kept until we know whether any model has a cache).
  bool with_cache = false;
  std::optional<CacheSize> first_cache;
  bool first = true;
  std::vector<std::vector<std::string>> cols;
  std::vector<std::string> warnings;  // "model: text", each model's warnings in order
  for (;;) {
    auto m = next();
    if (!m) return m.error();
    if (!*m) break;
    const ModelCacheSpec& s = *(*m)->spec;
    const std::optional<CacheSize>& cache = (*m)->cache;
    if (first) first_cache = cache, first = false;
    with_cache = with_cache || cache.has_value();
    auto per_token = kv_bytes_per_token(s, options.kv_dtype, options.kv_dtype);
    if (!per_token) return per_token.error();
    std::vector<std::string> c = {
        short_name(s.source),
        s.text_model_type ? fmt::format("{} ({})", s.model_type, *s.text_model_type) : s.model_type,
        fmt::format("{} ({})", s.num_layers(), kinds_phrase(s)),
        heads_phrase(s),
        head_dim_phrase(s),
        window_phrase(s),
        compact_pattern(s),
        moe_phrase(s),
        quant_phrase(s),
        format_bytes(*per_token),
        format_bytes(s.state_bytes_per_sequence()),
        cache ? format_bytes(cache->total_bytes) : "—",
    };
    for (auto& v : c) v = escape_for_terminal(v);  // before the widths: a cell is measured as it is shown
    for (const Note& n : s.notes)
      if (n.level == Note::Level::warning) warnings.push_back(c[0] + ": " + escape_for_terminal(n.text));
    cols.push_back(std::move(c));
  }
  if (with_cache)
    labels.push_back("cache");
  else
    for (auto& c : cols) c.pop_back();
  std::size_t label_w = 0;
  for (const auto& l : labels) label_w = std::max(label_w, l.size());
  constexpr std::size_t kMaxColumn = 40;
  const std::size_t indent = label_w + 2;
  // With a width: no column wider than what fits beside the labels on its own.
  std::size_t cap = kMaxColumn;
  if (options.width > indent + 2 + 12) cap = std::min(cap, options.width - indent - 2);
  std::vector<std::size_t> widths;
  for (const auto& c : cols) {
    std::size_t w = 0;
    for (const auto& v : c) w = std::max(w, display_width(v));
    widths.push_back(std::min(w, cap));
  }
  // Groups of consecutive models whose columns fit the width beside the labels (one group without a width).
  std::vector<std::pair<std::size_t, std::size_t>> groups;
  std::size_t start = 0, used = indent;
  for (std::size_t c = 0; c < cols.size(); ++c) {
    const std::size_t need = 2 + widths[c];
    if (options.width > 0 && c > start && used + need > options.width) {
      groups.emplace_back(start, c);
      start = c;
      used = indent;
    }
    used += need;
  }
  groups.emplace_back(start, cols.size());
  std::string out;
  if (with_cache && first_cache)
    out += fmt::format("cache at {} tokens × {}, {} ({} runtime)\n", first_cache->context, first_cache->batch,
                       to_string(options.kv_dtype), first_cache->runtime);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (g > 0) out += "\n";
    for (std::size_t r = 0; r < labels.size(); ++r) {
      out += fmt::format("{:<{}}", labels[r], indent);
      for (std::size_t c = groups[g].first; c < groups[g].second; ++c) {
        std::string v = cols[c][r];
        if (display_width(v) > widths[c]) v = std::string(display_prefix(v, widths[c] - 1)) + "…";
        out += "  " + v + std::string(widths[c] - display_width(v), ' ');
      }
      while (!out.empty() && out.back() == ' ') out.pop_back();
      out += "\n";
    }
  }
  if (!warnings.empty()) {
    out += "\nwarnings\n";
    for (const auto& w : warnings) out += "  " + w + "\n";
  }
  return escape_report_lines(out);
}

}  // namespace kvspec
