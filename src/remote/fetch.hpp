// Fetching a remote model's files into kvspec's cache with as few requests as the formats allow: the Hub's
// revision answer (commit and listing) once, config.json whole, safetensors headers in one 64 KiB range read
// (a second only for a longer header), GGUF headers in growing range reads, every file of a round at once.
#pragma once

#include <string>

#include "kvspec/error.hpp"
#include "kvspec/remote.hpp"
#include "remote/hub.hpp"
#include "source/resolve.hpp"

namespace kvspec::remote {

inline constexpr std::uint64_t kSafetensorsFirstRead = 64u << 10;
inline constexpr std::uint64_t kGgufFirstRead = 256u << 10;
inline constexpr std::uint64_t kGgufMaxChunk = 4u << 20;
inline constexpr std::uint64_t kGgufMaxHeader = 128u << 20;

Result<ModelLocation> fetch_model(const std::string& model, const Target& target,
                                  const RemoteOptions& options);

}  // namespace kvspec::remote
