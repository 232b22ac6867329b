#include "kvspec/spec.hpp"

#include <algorithm>
#include <map>

#include <fmt/format.h>

namespace kvspec {

std::string_view to_string(LayerKind kind) {
  switch (kind) {
    case LayerKind::full_attention:
      return "full_attention";
    case LayerKind::sliding_attention:
      return "sliding_attention";
    case LayerKind::chunked_attention:
      return "chunked_attention";
    case LayerKind::mla:
      return "mla";
    case LayerKind::recurrent:
      return "recurrent";
    case LayerKind::shared:
      return "shared";
    case LayerKind::cross_attention:
      return "cross_attention";
    case LayerKind::none:
      return "none";
  }
  return "?";
}

std::string_view to_string(Tier tier) {
  switch (tier) {
    case Tier::config:
      return "config";
    case Tier::weights:
      return "weights";
    case Tier::rule:
      return "rule";
  }
  return "?";
}

std::optional<LayerKind> parse_layer_kind(std::string_view name) {
  for (auto k :
       {LayerKind::full_attention, LayerKind::sliding_attention, LayerKind::chunked_attention, LayerKind::mla,
        LayerKind::recurrent, LayerKind::shared, LayerKind::cross_attention, LayerKind::none})
    if (to_string(k) == name) return k;
  return std::nullopt;
}

char strip_char(LayerKind kind) {
  switch (kind) {
    case LayerKind::full_attention:
      return 'F';
    case LayerKind::sliding_attention:
      return 'S';
    case LayerKind::chunked_attention:
      return 'C';
    case LayerKind::mla:
      return 'M';
    case LayerKind::recurrent:
      return 'R';
    case LayerKind::shared:
      return '=';
    case LayerKind::cross_attention:
      return 'X';
    case LayerKind::none:
      return '.';
  }
  return '?';
}

bool LayerSpec::owns_kv() const {
  switch (kind) {
    case LayerKind::full_attention:
    case LayerKind::sliding_attention:
    case LayerKind::chunked_attention:
    case LayerKind::mla:
    case LayerKind::cross_attention:
      return num_kv_heads > 0;
    case LayerKind::recurrent:
    case LayerKind::shared:
    case LayerKind::none:
      return false;
  }
  return false;
}

std::int64_t ModelCacheSpec::num_kv_heads() const {
  std::int64_t m = 0;
  for (const auto& l : layers) m = std::max(m, l.owns_kv() ? l.num_kv_heads : 0);
  return m;
}

bool ModelCacheSpec::is_uniform() const {
  if (layers.empty()) return true;
  const LayerSpec& a = layers.front();
  return std::all_of(layers.begin(), layers.end(), [&](const LayerSpec& b) {
    return a.kind == b.kind && a.num_kv_heads == b.num_kv_heads && a.head_dim_k == b.head_dim_k &&
           a.head_dim_v == b.head_dim_v && a.window == b.window && a.state_bytes == b.state_bytes;
  });
}

std::int64_t ModelCacheSpec::state_bytes_per_sequence() const {
  std::int64_t s = 0;
  for (const auto& l : layers) s += l.state_bytes;
  return s;
}

std::int64_t ModelCacheSpec::count(LayerKind kind) const {
  return std::count_if(layers.begin(), layers.end(), [&](const LayerSpec& l) { return l.kind == kind; });
}

bool ModelCacheSpec::has_warnings() const {
  return std::any_of(notes.begin(), notes.end(),
                     [](const Note& n) { return n.level == Note::Level::warning; });
}

std::string layer_strip(const ModelCacheSpec& spec) {
  std::string s;
  s.reserve(spec.layers.size());
  for (const auto& l : spec.layers) s.push_back(strip_char(l.kind));
  return s;
}

std::string layer_label(const LayerSpec& layer) {
  switch (layer.kind) {
    case LayerKind::full_attention:
      return "full";
    case LayerKind::sliding_attention:
      return fmt::format("sliding({})", layer.window.value_or(0));
    case LayerKind::chunked_attention:
      return fmt::format("chunked({})", layer.window.value_or(0));
    case LayerKind::mla:
      return "mla";
    case LayerKind::recurrent:
      return "recurrent";
    case LayerKind::shared:
      return layer.shares_with ? fmt::format("shared(→{})", *layer.shares_with) : std::string("shared");
    case LayerKind::cross_attention:
      return "cross";
    case LayerKind::none:
      return "none";
  }
  return "?";
}

namespace {

struct Run {
  std::string label;
  std::int64_t count;
};

std::string render_runs(const std::vector<Run>& runs) {
  std::string out;
  for (std::size_t i = 0; i < runs.size(); ++i) {
    if (i) out += ", ";
    out += fmt::format("{}×{}", runs[i].count, runs[i].label);
  }
  return out;
}

}  // namespace

std::string compact_pattern(const ModelCacheSpec& spec) {
  // Labels ignore heads/dims so the pattern shows the kinds; per-layer heads are visible in the layer table.
  std::vector<Run> runs;
  for (const auto& l : spec.layers) {
    std::string label = layer_label(l);
    if (l.kind == LayerKind::shared) label = "shared";
    if (!runs.empty() && runs.back().label == label)
      ++runs.back().count;
    else
      runs.push_back({label, 1});
  }
  if (runs.empty()) return "(no layers)";
  if (runs.size() == 1) return render_runs(runs);
  // Smallest period p (in runs) such that the run list is a repetition of its first p runs.
  for (std::size_t p = 1; p <= runs.size() / 2; ++p) {
    if (runs.size() % p != 0) continue;
    bool repeats = true;
    for (std::size_t i = p; i < runs.size() && repeats; ++i)
      repeats = runs[i].label == runs[i % p].label && runs[i].count == runs[i % p].count;
    if (repeats)
      return fmt::format("[{}] × {}", render_runs({runs.begin(), runs.begin() + static_cast<long>(p)}),
                         runs.size() / p);
  }
  // A repeated block followed by a tail (e.g. 62 layers of a period-6 pattern): show block × n + tail.
  for (std::size_t p = 1; p <= runs.size() / 2; ++p) {
    std::size_t n = 1;
    while ((n + 1) * p <= runs.size()) {
      bool same = true;
      for (std::size_t i = 0; i < p && same; ++i)
        same = runs[n * p + i].label == runs[i].label && runs[n * p + i].count == runs[i].count;
      if (!same) break;
      ++n;
    }
    if (n >= 2) {
      std::vector<Run> tail(runs.begin() + static_cast<long>(n * p), runs.end());
      return fmt::format("[{}] × {} + {}", render_runs({runs.begin(), runs.begin() + static_cast<long>(p)}),
                         n, render_runs(tail));
    }
  }
  // A short head, then a repeated block (Mllama: 3 full, then [1 cross, 4 full] × 19, ...): head + block × n
  // + tail.
  for (std::size_t h = 1; h <= 2 && h < runs.size(); ++h) {
    auto at = [&](std::size_t i) -> const Run& { return runs[h + i]; };
    std::size_t rest = runs.size() - h;
    for (std::size_t p = 1; p <= rest / 2; ++p) {
      std::size_t n = 1;
      while ((n + 1) * p <= rest) {
        bool same = true;
        for (std::size_t i = 0; i < p && same; ++i)
          same = at(n * p + i).label == at(i).label && at(n * p + i).count == at(i).count;
        if (!same) break;
        ++n;
      }
      if (n < 2) continue;
      auto first = runs.begin() + static_cast<long>(h);
      std::string out = fmt::format("{} + [{}] × {}", render_runs({runs.begin(), first}),
                                    render_runs({first, first + static_cast<long>(p)}), n);
      std::vector<Run> tail(first + static_cast<long>(n * p), runs.end());
      return tail.empty() ? out : out + " + " + render_runs(tail);
    }
  }
  return render_runs(runs);
}

}  // namespace kvspec
