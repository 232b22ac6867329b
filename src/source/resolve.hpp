// Where a model's files are: a folder, a config.json path, or a repo id in the local Hugging Face cache.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "kvspec/error.hpp"
#include "kvspec/load.hpp"

namespace kvspec {

struct ModelLocation {
  std::string dir;                   // folder holding the model's files
  std::string config_path;           // its config.json
  std::string name;                  // what the user asked for
  std::string note;                  // which file was read when the folder holds both config.json and a GGUF
  std::optional<RemoteInfo> remote;  // fetched from the Hub or a URL (src/remote)
  bool gguf = false;  // config_path is a GGUF whatever its name says (an Ollama blob, a file with GGUF magic)
};

// True when the location's file is read as a GGUF.
bool is_gguf_location(const ModelLocation& loc);

// The home folder: an absolute $HOME, else the password database's entry for the real user id; empty when
// neither gives one.
std::string home_dir();

// True when `path`, with every symbolic link resolved, is inside `dir` (resolved too).
bool stays_inside(const std::filesystem::path& path, const std::filesystem::path& dir);

// The Hugging Face hub cache directory as huggingface_hub resolves it: $HF_HUB_CACHE, else $HF_HOME/hub, else
// $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub.
std::string default_hf_cache_dir();

// True for "org/name" or "org/name@revision" that is not an existing path.
bool looks_like_repo_id(std::string_view s);

Result<ModelLocation> locate_model(std::string_view model, const LoadOptions& options);

}  // namespace kvspec
