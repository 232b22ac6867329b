// Short phrases shared by the text summary and the comparison table.
#pragma once

#include <string>

#include "kvspec/spec.hpp"

namespace kvspec {

std::string kinds_phrase(const ModelCacheSpec& spec);   // "40 sliding, 8 full"
std::string window_phrase(const ModelCacheSpec& spec);  // "1024", "chunk 8192", "—"
std::string moe_phrase(const ModelCacheSpec& spec);     // "60 experts, 4 per token, 1 shared", "—"
std::string quant_phrase(const ModelCacheSpec& spec);   // "mlx 4-bit, group 64", "—"
std::string heads_phrase(const ModelCacheSpec& spec);   // "8" or "0–8 per layer"
std::string head_dim_phrase(const ModelCacheSpec& spec);
// A short name for a column header: the model's folder name ("…/gemma-2-9b-it/config.json" →
// "gemma-2-9b-it").
std::string short_name(const std::string& source);
// Display width of UTF-8 text (code points; kvspec prints no wide characters).
std::size_t display_width(std::string_view s);
// The longest prefix of `s` at most `width` code points wide.
std::string_view display_prefix(std::string_view s, std::size_t width);

// Weights (present only when the safetensors headers were read).
std::string params_count(std::int64_t n);                  // "8.03 B", "494.0 M", "1234"
std::string weights_size_phrase(const WeightsSummary& w);  // "4.20 GiB (4517...) in 2 files"
std::string params_phrase(const WeightsSummary& w);        // "8.03 B (8030261248)", "30.53 B, 3.34 B active"
std::string dtype_mix_phrase(const WeightsSummary& w);     // "U32 78.1%, BF16 21.9%" (by bytes)
std::string packing_phrase(const WeightsSummary& w);  // "mlx 4-bit: 225 packed tensors, 0.47 GiB overhead"

}  // namespace kvspec
