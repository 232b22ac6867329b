// Outputs: the human summary, the side-by-side comparison, and the JSON contract (documented in README.md).
#pragma once

#include <functional>
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
  // compare's text table: the columns (terminal cells) it may use; wider tables are split into groups of
  // models that fit, each under the row labels. 0: no limit (one row of columns, however wide).
  std::size_t width = 0;
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

// The same outputs, one model at a time: `next` yields each model in turn (nullopt after the last); the spec
// it points to need only live until the following call. Memory then holds the output and each model's table
// cells, not every model's spec (30,000 models took 1.5 GB).
using NextCompareEntry = std::function<Result<std::optional<CompareEntry>>()>;
Result<std::string> render_compare_stream(const NextCompareEntry& next, const ReportOptions& options);
Result<std::string> render_compare_json_stream(const NextCompareEntry& next, const ReportOptions& options);

// An error as the CLI prints it on stdout under --json: {"schema_version": 1, "error": {"code": "usage",
// "message", "file", "field", "expected", "found", "detail"}} (code: bad_input, not_found, io, usage,
// internal; empty strings where the error has no such part).
std::string render_error_json(const Error& error);

}  // namespace kvspec
