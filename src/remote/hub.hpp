// Remote models: names that reach the Hugging Face Hub or a URL, resolved as huggingface_hub does
// (huggingface_hub ee0a451: constants.py HF_ENDPOINT / HF_HUB_OFFLINE / HF_TOKEN_PATH, file_download.py
// resolve URLs and X-Repo-Commit, hf_api.py model_info /api/models/{repo}/revision/{rev}?blobs=true,
// utils/_http.py X-Error-Code), fetched with a few range reads into kvspec's cache and handed to the local
// readers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "kvspec/error.hpp"
#include "kvspec/load.hpp"
#include "source/resolve.hpp"

namespace kvspec::remote {

// A parsed remote name.
struct Target {
  bool url = false;      // a plain URL (not a Hub resolve URL)
  std::string endpoint;  // the Hub endpoint, or the URL's scheme://host[:port]
  std::string repo;      // org/name
  std::string revision;  // branch, tag or commit ("main" when not given)
  std::string path;      // a file inside the repo, if named
  std::string tag;       // GGUF quant selector (org/name:Q4_K_M)
  std::string full_url;  // plain URLs
};

// hf://..., http(s)://..., org/name:TAG, org/name/path/in/repo: names that only the network can answer.
bool is_remote_name(std::string_view model);

// Parses [hf://]org/name[@revision][:TAG] and [hf://]org/name[@revision]/path, and URLs (Hub resolve URLs
// under `endpoint` become Hub targets).
Result<Target> parse_target(std::string_view model, const std::string& endpoint);

// $HF_ENDPOINT without its trailing '/', else https://huggingface.co.
std::string hub_endpoint();
// HF_TOKEN (or HUGGING_FACE_HUB_TOKEN), else the file $HF_TOKEN_PATH, else $HF_HOME/token.
std::string hub_token();
// HF_HUB_OFFLINE (or TRANSFORMERS_OFFLINE) set to 1, ON, YES or TRUE.
bool hub_offline_env();

// Fetches what the local readers need and returns the folder they read.
Result<ModelLocation> locate_remote(std::string_view model, const LoadOptions& options);

}  // namespace kvspec::remote
