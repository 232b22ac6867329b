// Opening a model: a folder with config.json, a config.json path, or a Hugging Face repo id
// (org/name[@revision]) resolved offline in the local Hugging Face cache.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "kvspec/error.hpp"
#include "kvspec/remote.hpp"
#include "kvspec/spec.hpp"

namespace kvspec {

// Which file describes a model when its folder holds both a config.json and a GGUF.
enum class SourceFormat : std::uint8_t {
  prefer_hf,    // config.json (the default), the GGUF when there is no config.json
  prefer_gguf,  // the GGUF (one model) when there is one, else config.json (kvspec's choice for llama.cpp)
  hf,           // config.json only (--format hf)
  gguf,         // a GGUF only (--format gguf)
};

struct LoadOptions {
  // Where to look for repo ids; empty = $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub.
  std::optional<std::string> hf_cache_dir;
  SourceFormat format = SourceFormat::prefer_hf;
  // hf://org/name, org/name (not in the local cache), org/name:QUANT, https:// URLs (README "Remote models").
  RemoteOptions remote;
};

// Reads the model and derives its spec.
Result<ModelCacheSpec> load_model(std::string_view model, const LoadOptions& options = {});

// Derives a spec from config.json text already in memory; `name` appears in messages and as the spec's
// source.
Result<ModelCacheSpec> spec_from_config_text(std::string_view config_json, std::string_view name);

// The example model compiled into kvspec (mlx-community/gemma-3-12b-it-4bit's config.json).
std::string_view bundled_example_name();
std::string_view bundled_example_config();

}  // namespace kvspec
