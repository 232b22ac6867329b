// The C options structs: defaults, the struct_size check, and their translation to the library's options.
#include <cstddef>
#include <cstring>
#include <string>

#include "capi/capi.hpp"
#include "capi/options.hpp"

namespace kvspec::capi {
namespace {

// The sizes of the structs' first versions. Fields are only ever appended: a caller built against an older
// header passes a smaller struct_size, and the fields past it keep their defaults.
// Pinned to each first version's last field, so appending a field never moves them.
constexpr std::size_t kLoadOptionsV1 = offsetof(kvspec_load_options, retry_wait) + sizeof(double);
constexpr std::size_t kOptionsV1 = offsetof(kvspec_options, gpu_memory_utilization) + sizeof(double);
static_assert(kLoadOptionsV1 <= sizeof(kvspec_load_options) && kOptionsV1 <= sizeof(kvspec_options));

// The caller's struct over the defaults, as far as its struct_size reaches.
template <class S>
Result<S> read_struct(const S* in, const S& defaults, std::size_t first_size, const char* type) {
  S out = defaults;
  if (in == nullptr) return out;
  if (in->struct_size < first_size || in->struct_size > sizeof(S))
    return usage_error(
        "struct_size",
        "sizeof(" + std::string(type) + ") = " + std::to_string(sizeof(S)) + " (" + type + "_init sets it)",
        std::to_string(in->struct_size));
  std::memcpy(static_cast<void*>(&out), in, in->struct_size);
  return out;
}

std::string text_or(const char* text, const char* fallback) {
  return text != nullptr ? text : fallback;
}

}  // namespace

Result<LoadOptions> load_options(const kvspec_load_options* in) {
  kvspec_load_options defaults;
  kvspec_load_options_init(&defaults);
  auto o = read_struct(in, defaults, kLoadOptionsV1, "kvspec_load_options");
  if (!o) return o.error();
  LoadOptions out;
  const std::string format = text_or(o->format, "");
  if (format.empty())
    out.format = SourceFormat::prefer_hf;
  else if (format == "hf")
    out.format = SourceFormat::hf;
  else if (format == "gguf")
    out.format = SourceFormat::gguf;
  else if (format == "prefer_gguf")
    out.format = SourceFormat::prefer_gguf;
  else
    return usage_error("format", "hf, gguf or prefer_gguf (NULL: config.json when a folder has both)",
                       "'" + format + "'");
  if (o->hf_cache != nullptr && o->hf_cache[0] != '\0') out.hf_cache_dir = std::string(o->hf_cache);
  CommandOptions remote;
  remote.offline = o->offline != 0;
  remote.refresh = o->refresh != 0;
  remote.no_cache = o->no_cache != 0;
  remote.quiet = o->quiet != 0;
  remote.timeout = o->timeout;
  remote.connect_timeout = o->connect_timeout;
  remote.retries = o->retries;
  remote.retry_wait = o->retry_wait;
  auto checked = command_remote_options(remote);
  if (!checked) return checked.error();
  out.remote = *checked;
  return out;
}

Result<CommandOptions> command_options(const kvspec_options* in, bool allow_weights) {
  kvspec_options defaults;
  kvspec_options_init(&defaults);
  auto o = read_struct(in, defaults, kOptionsV1, "kvspec_options");
  if (!o) return o.error();
  if (!allow_weights && o->weights != nullptr)
    return usage_error("weights", "NULL (only fit takes the weights' size)",
                       "'" + std::string(o->weights) + "'");
  CommandOptions out;  // its defaults are the CLI's
  out.context = text_or(o->context, "");
  out.batch = o->batch;
  out.kv_dtype = text_or(o->kv_dtype, out.kv_dtype.c_str());
  out.v_dtype = text_or(o->v_dtype, "");
  out.runtime = text_or(o->runtime, out.runtime.c_str());
  out.images = o->images;
  out.parallel = o->parallel;
  out.kv_unified = o->kv_unified != 0;
  out.ubatch = o->ubatch;
  out.flash_attn = text_or(o->flash_attn, out.flash_attn.c_str());
  out.swa_full = o->swa_full != 0;
  out.kv_bits = o->kv_bits;
  out.block_size = o->block_size;
  out.max_num_batched_tokens = o->max_num_batched_tokens;
  out.tp = o->tp;
  out.pp = o->pp;
  out.memory = text_or(o->memory, "");
  out.reserve = text_or(o->reserve, "");
  out.weights = text_or(o->weights, "");
  out.max_context = text_or(o->max_context, "");
  out.gpu_memory_utilization = o->gpu_memory_utilization;
  return out;
}

}  // namespace kvspec::capi

extern "C" {

void kvspec_load_options_init(kvspec_load_options* options) {
  if (options == nullptr) return;
  const kvspec::CommandOptions d;  // the CLI's defaults
  *options = kvspec_load_options{};
  options->struct_size = sizeof(kvspec_load_options);
  options->quiet = d.quiet ? 1 : 0;
  options->timeout = d.timeout;
  options->connect_timeout = d.connect_timeout;
  options->retries = d.retries;
  options->retry_wait = d.retry_wait;
}

void kvspec_options_init(kvspec_options* options) {
  if (options == nullptr) return;
  const kvspec::CommandOptions d;  // the CLI's defaults; strings stay NULL (= these defaults)
  *options = kvspec_options{};
  options->struct_size = sizeof(kvspec_options);
  options->batch = d.batch;
  options->images = d.images;
  options->parallel = d.parallel;
  options->ubatch = d.ubatch;
  options->kv_bits = d.kv_bits;
  options->block_size = d.block_size;
  options->max_num_batched_tokens = d.max_num_batched_tokens;
  options->tp = d.tp;
  options->pp = d.pp;
  options->gpu_memory_utilization = d.gpu_memory_utilization;
}

}  // extern "C"
