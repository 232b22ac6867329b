// Outputs: the human summary, the side-by-side comparison, and the JSON contract (documented in README.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kvspec/dtype.hpp"
#include "kvspec/error.hpp"
#include "kvspec/size.hpp"
#include "kvspec/spec.hpp"

namespace kvspec {

struct ReportOptions {
  CacheDType kv_dtype = CacheDType::f16;
  std::optional<CacheSize> cache;  // present when a context was asked for
  bool color = false;
};

Result<std::string> render_text(const ModelCacheSpec& spec, const ReportOptions& options);
Result<std::string> render_json(const ModelCacheSpec& spec, const ReportOptions& options);

struct CompareEntry {
  const ModelCacheSpec* spec;
  std::optional<CacheSize> cache;
};
Result<std::string> render_compare(const std::vector<CompareEntry>& models, const ReportOptions& options);
Result<std::string> render_compare_json(const std::vector<CompareEntry>& models,
                                        const ReportOptions& options);

}  // namespace kvspec
