#include "source/stores.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "json/json.hpp"
#include "kvspec/gguf.hpp"
#include "util/file_kind.hpp"

namespace fs = std::filesystem;

namespace kvspec {

namespace {

// The '/'-separated parts of a store name, at most four (callers refuse more than they take).
std::vector<std::string_view> split_parts(std::string_view rest) {
  std::vector<std::string_view> parts;
  std::size_t begin = 0;
  while (begin <= rest.size() && parts.size() <= 3) {
    std::size_t end = std::min(rest.find('/', begin), rest.size());
    parts.push_back(rest.substr(begin, end - begin));
    begin = end + 1;
  }
  return parts;
}

constexpr std::string_view kOllama = "ollama:";
constexpr std::string_view kLmStudio = "lmstudio:";
// Ollama's manifests are ~1 KiB and a params blob a few hundred bytes; anything near this is not one.
constexpr std::size_t kMaxManifestBytes = 1u << 20;
constexpr std::size_t kMaxParamsBytes = 1u << 20;
constexpr std::size_t kListAtMost = 8;  // a not-found message lists the store's models when there are few

// The layout, read from ollama/ollama (types/model/name.go at 12734c10, envconfig/config.go at 4bf0d41c,
// server/images.go GetModel): a name is [host/][namespace/]model[:tag], filled with registry.ollama.ai,
// library and latest; each part is 1-128 of [A-Za-z0-9_.-] with no "..", and a namespace holds no '.'. The
// manifest is <store>/manifests/<host>/<namespace>/<model>/<tag>, JSON whose layers[] give mediaType and
// digest "sha256:<hex>"; the blob is <store>/blobs/sha256-<hex>. The store is $OLLAMA_MODELS (spaces and
// quotes trimmed), else ~/.ollama/models; the Linux installer's service runs as user ollama, whose home is
// /usr/share/ollama.
struct OllamaName {
  std::string host = "registry.ollama.ai";
  std::string ns = "library";
  std::string model;
  std::string tag = "latest";
  std::string shown;  // as given, without the tag: the spec's source is ollama:<shown>:<tag>
};

bool valid_part(std::string_view s, bool dots_allowed) {
  if (s.empty() || s.size() > 128 || s == "." || s.find("..") != std::string_view::npos) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || (c == '.' && dots_allowed);
  });
}

Result<OllamaName> parse_ollama_name(std::string_view model) {
  std::string_view rest = model.substr(kOllama.size());
  auto bad = [&](std::string found) {
    return make_error(ErrorCode::usage, std::string(model), "", "ollama:[HOST/][NAMESPACE/]MODEL[:TAG]",
                      std::move(found),
                      "each part 1-128 letters, digits, '_', '-' or '.' (no '..'; none in a namespace)");
  };
  OllamaName n;
  auto colon = rest.rfind(':');
  auto slash = rest.rfind('/');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    n.tag = std::string(rest.substr(colon + 1));
    rest = rest.substr(0, colon);
  }
  n.shown = std::string(rest);
  const std::vector<std::string_view> parts = split_parts(rest);
  if (parts.size() > 3) return bad("more than three '/'-separated parts");
  n.model = std::string(parts.back());
  if (parts.size() >= 2) n.ns = std::string(parts[parts.size() - 2]);
  if (parts.size() == 3) n.host = std::string(parts[0]);
  if (!valid_part(n.model, true)) return bad(fmt::format("model '{}'", n.model));
  if (!valid_part(n.ns, false)) return bad(fmt::format("namespace '{}'", n.ns));
  if (!valid_part(n.host, true)) return bad(fmt::format("host '{}'", n.host));
  if (!valid_part(n.tag, true)) return bad(fmt::format("tag '{}'", n.tag));
  return n;
}

bool is_sha256_digest(std::string_view d) {
  if (d.size() != 71 || d.substr(0, 7) != "sha256:") return false;
  return std::all_of(d.begin() + 7, d.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// "host/namespace/model:tag" under manifests/, shortened as Ollama shows names (default host and namespace
// left out); at most `limit` + 1 collected, sorted.
std::vector<std::string> models_in(const fs::path& manifests, std::size_t limit) {
  std::vector<std::string> out;
  std::error_code ec;
  auto it = fs::recursive_directory_iterator(manifests, fs::directory_options::none, ec);
  std::size_t seen = 0;
  for (; !ec && it != fs::recursive_directory_iterator() && out.size() <= limit && ++seen < 10000;
       it.increment(ec)) {
    if (it.depth() > 3) {
      it.disable_recursion_pending();
      continue;
    }
    if (it.depth() != 3 || !it->is_regular_file(ec)) continue;
    fs::path rel = it->path().lexically_relative(manifests);
    std::vector<std::string> p(rel.begin(), rel.end());
    if (p.size() != 4) continue;
    std::string name = p[0] == "registry.ollama.ai" && p[1] == "library" ? p[2]
                       : p[0] == "registry.ollama.ai"                    ? p[1] + "/" + p[2]
                                                                         : p[0] + "/" + p[1] + "/" + p[2];
    out.push_back(name + ":" + p[3]);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Error ollama_not_found(const OllamaName& n, const fs::path& store, const std::string& rel) {
  std::string there;
  auto models = models_in(store / "manifests", kListAtMost);
  if (models.empty())
    there = "; the store holds no models";
  else if (models.size() <= kListAtMost)
    there = "; the store holds " + fmt::format("{}", fmt::join(models, ", "));
  else
    there = fmt::format("; the store holds more than {} models ({}, ...)", kListAtMost, models.front());
  return make_error(ErrorCode::not_found, "", "", "", "",
                    fmt::format("ollama model '{}:{}' not found in {} (looked for {}){}", n.shown, n.tag,
                                store.string(), rel, there));
}

// The params layer's num_ctx, as a note: Ollama's default context for this model (sizing is unchanged).
std::string params_note(const fs::path& blob) {
  auto text = json::read_file_bounded(blob.string(), kMaxParamsBytes);
  if (!text) return "Ollama's params layer was not read: " + text.error().message();
  auto doc = json::parse(*text, blob.string());
  if (!doc) return "Ollama's params layer was not read: " + doc.error().message();
  const json::Value* ctx = doc->root.find("num_ctx");
  if (ctx == nullptr) return "";
  if (!ctx->is_int() || ctx->as_int() <= 0)
    return fmt::format("Ollama's params layer has num_ctx {} (not a positive integer; ignored)",
                       ctx->describe());
  return fmt::format("Ollama runs this model with num_ctx {} by default", ctx->as_int());
}

Result<ModelLocation> locate_ollama(std::string_view model, const LoadOptions& options) {
  auto n = parse_ollama_name(model);
  if (!n) return n.error();
  if (options.format == SourceFormat::hf)
    return make_error(ErrorCode::usage, std::string(model), "--format", "a config.json (--format hf)",
                      "an Ollama model, which is one GGUF");
  std::string store = default_ollama_models_dir();
  if (store.empty())
    return make_error(ErrorCode::not_found, std::string(model), "", "", "",
                      "no Ollama store: $OLLAMA_MODELS is unset and no home folder is known");
  const fs::path root(store);
  const std::string rel = fmt::format("manifests/{}/{}/{}/{}", n->host, n->ns, n->model, n->tag);
  const fs::path manifest = root / rel;
  std::error_code ec;
  auto st = fs::status(manifest, ec);
  if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory)
    return make_error(ErrorCode::io, manifest.string(), "", "", "",
                      fmt::format("cannot read the Ollama manifest: {}", ec.message()));
  if (!fs::exists(st)) return ollama_not_found(*n, root, rel);
  if (!fs::is_regular_file(st))
    return make_error(ErrorCode::bad_input, manifest.string(), "", "an Ollama manifest file",
                      std::string(describe_file_type(st.type())));
  if (!stays_inside(manifest, root / "manifests"))
    return make_error(ErrorCode::bad_input, manifest.string(), "", "a manifest inside the store's manifests/",
                      "a symbolic link that leads outside it (not read)");
  auto text = json::read_file_bounded(manifest.string(), kMaxManifestBytes);
  if (!text) return text.error();
  auto doc = json::parse(*text, manifest.string());
  if (!doc) return doc.error();
  const json::Value* layers = doc->root.find("layers");
  if (layers == nullptr || !layers->is_array())
    return make_error(ErrorCode::bad_input, manifest.string(), "layers", "an array of layers",
                      layers == nullptr ? "none" : layers->describe());
  std::vector<std::string> models;
  std::optional<std::string> params;
  for (std::size_t i = 0; i < layers->as_array().size(); ++i) {
    const json::Value& layer = layers->as_array()[i];
    const json::Value* type = layer.find("mediaType");
    const json::Value* digest = layer.find("digest");
    if (type == nullptr || !type->is_string()) continue;
    const std::string& t = type->as_string();
    if (t != "application/vnd.ollama.image.model" && t != "application/vnd.ollama.image.params") continue;
    const std::string field = fmt::format("layers[{}].digest", i);
    if (digest == nullptr || !digest->is_string())
      return make_error(ErrorCode::bad_input, manifest.string(), field, "\"sha256:\" and 64 hex digits",
                        digest == nullptr ? "none" : digest->describe());
    if (!is_sha256_digest(digest->as_string()))
      return make_error(ErrorCode::bad_input, manifest.string(), field,
                        "\"sha256:\" and 64 lowercase hex digits", "'" + digest->as_string() + "'",
                        "a blob's name must stay inside the store's blobs/");
    std::string blob = "sha256-" + digest->as_string().substr(7);
    if (t == "application/vnd.ollama.image.model")
      models.push_back(blob);
    else if (!params)
      params = blob;
  }
  if (models.size() != 1)
    return make_error(
        ErrorCode::bad_input, manifest.string(), "layers",
        "one layer of mediaType application/vnd.ollama.image.model",
        models.empty() ? std::string("none") : fmt::format("{} (a split GGUF: not read yet)", models.size()));
  const fs::path blobs = root / "blobs";
  const fs::path blob = blobs / models.front();
  auto bst = fs::status(blob, ec);
  if (!fs::exists(bst))
    return make_error(ErrorCode::not_found, blob.string(), "", "", "",
                      fmt::format("the model layer's blob is missing (named by {})", manifest.string()));
  if (!fs::is_regular_file(bst))
    return make_error(ErrorCode::bad_input, blob.string(), "", "a GGUF blob",
                      std::string(describe_file_type(bst.type())));
  if (!stays_inside(blob, blobs))
    return make_error(ErrorCode::bad_input, blob.string(), "", "a blob inside the store's blobs/",
                      "a symbolic link that leads outside it (not read)");
  ModelLocation loc{blobs.string(), blob.string(), fmt::format("ollama:{}:{}", n->shown, n->tag), ""};
  loc.gguf = true;
  if (params) {
    const fs::path p = blobs / *params;
    if (fs::is_regular_file(p, ec) && stays_inside(p, blobs)) loc.note = params_note(p);
  }
  return loc;
}

// LM Studio, read from lmstudio-ai/lmstudio-js (packages/lms-common-server/src/findLMStudioHome.ts at
// 7c40eb85), lmstudio-ai/lms (src/modelsFolder.ts at 3cc02018, src/lmstudioPaths.ts at 0c05a3a5) and
// lmstudio-ai/docs (0_app/5_advanced/import-model.md at e22170bc): LM Studio's home is the folder named in
// ~/.lmstudio-home-pointer, else ~/.cache/lm-studio when it exists, else ~/.lmstudio; the models folder is
// settings.json's downloadsFolder there, else <home>/models; a model is <models>/<publisher>/<model>/,
// holding GGUF files (or an MLX folder with config.json).
constexpr std::size_t kMaxPointerBytes = 4096;
constexpr std::size_t kMaxSettingsBytes = 1u << 20;

std::string trimmed(std::string s) {
  constexpr std::string_view ws = " \t\n\v\f\r";
  s.erase(0, s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
}

// One path component of an lmstudio: name: not empty, ".", ".." or longer than 255 bytes, no control
// character or backslash ('/' separates components).
bool valid_component(std::string_view s) {
  if (s.empty() || s == "." || s == ".." || s.size() > 255) return false;
  return std::none_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F || c == '\\';
  });
}

// "publisher/model" folders under `models`, at most `limit` + 1, sorted.
std::vector<std::string> lmstudio_models_in(const fs::path& models, std::size_t limit) {
  std::vector<std::string> out;
  std::error_code ec;
  std::size_t seen = 0;
  for (auto pub = fs::directory_iterator(models, ec);
       !ec && pub != fs::directory_iterator() && out.size() <= limit; pub.increment(ec)) {
    if (!pub->is_directory(ec)) continue;
    std::error_code ec2;
    for (auto m = fs::directory_iterator(pub->path(), ec2);
         !ec2 && m != fs::directory_iterator() && out.size() <= limit && ++seen < 10000; m.increment(ec2))
      if (m->is_directory(ec2))
        out.push_back(pub->path().filename().string() + "/" + m->path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<ModelLocation> locate_lmstudio(std::string_view model, const LoadOptions& options) {
  std::string_view rest = model.substr(kLmStudio.size());
  const std::vector<std::string_view> parts = split_parts(rest);
  const bool ok = (parts.size() == 2 || (parts.size() == 3 && is_gguf_path(parts[2]))) &&
                  std::all_of(parts.begin(), parts.end(), valid_component);
  if (!ok)
    return make_error(ErrorCode::usage, std::string(model), "", "lmstudio:PUBLISHER/MODEL[/FILE.gguf]",
                      fmt::format("'{}'", rest),
                      "each part a folder or file name: not empty, '.' or '..', no control character or "
                      "backslash");
  auto models = lmstudio_models_dir();
  if (!models) return models.error();
  if (models->empty())
    return make_error(ErrorCode::not_found, std::string(model), "", "", "",
                      "no LM Studio models folder: no home folder is known");
  const fs::path root(*models);
  const fs::path folder = root / std::string(parts[0]) / std::string(parts[1]);
  const fs::path target = parts.size() == 3 ? folder / std::string(parts[2]) : folder;
  std::error_code ec;
  if (!fs::exists(fs::status(target, ec))) {
    auto found = lmstudio_models_in(root, kListAtMost);
    std::string there =
        found.empty() ? "; the folder holds no models"
        : found.size() <= kListAtMost
            ? fmt::format("; the folder holds {}", fmt::join(found, ", "))
            : fmt::format("; the folder holds more than {} models ({}, ...)", kListAtMost, found.front());
    return make_error(ErrorCode::not_found, "", "", "", "",
                      fmt::format("lmstudio model '{}' not found in {} (looked for {}){}", rest,
                                  root.string(), target.lexically_relative(root).string(), there));
  }
  if (!stays_inside(target, root))
    return make_error(ErrorCode::bad_input, target.string(), "", "a model inside the LM Studio models folder",
                      "a symbolic link that leads outside it (not read)");
  auto loc = locate_model(target.string(), options);
  if (!loc) return loc.error();
  loc->name = "lmstudio:" + std::string(rest);
  return loc;
}
}  // namespace

Result<std::string> lmstudio_models_dir() {
  std::string home = home_dir();
  if (home.empty()) return std::string();
  const fs::path h(home);
  std::error_code ec;
  fs::path lm = h / ".lmstudio";
  const fs::path pointer = h / ".lmstudio-home-pointer";
  if (fs::is_regular_file(pointer, ec)) {
    auto text = json::read_file_bounded(pointer.string(), kMaxPointerBytes);
    if (!text) return text.error();
    std::string named = trimmed(*text);
    if (named.empty() || named.front() != '/' || named.find('\0') != std::string::npos)
      return make_error(ErrorCode::bad_input, pointer.string(), "", "an absolute folder (LM Studio's home)",
                        fmt::format("'{}'", named));
    lm = named;
  } else if (fs::is_directory(h / ".cache" / "lm-studio", ec)) {
    lm = h / ".cache" / "lm-studio";
  }
  const fs::path settings = lm / "settings.json";
  if (fs::is_regular_file(settings, ec)) {
    auto doc = json::parse_file(settings.string(), kMaxSettingsBytes);
    if (!doc) return doc.error();
    const json::Value* d = doc->root.find("downloadsFolder");
    if (d != nullptr && d->is_string()) {
      const std::string& folder = d->as_string();
      if (folder.empty() || folder.front() != '/' || folder.find('\0') != std::string::npos)
        return make_error(ErrorCode::bad_input, settings.string(), "downloadsFolder", "an absolute folder",
                          fmt::format("'{}'", folder));
      return folder;
    }
  }
  return (lm / "models").string();
}

bool is_store_name(std::string_view model) {
  return model.substr(0, kOllama.size()) == kOllama || model.substr(0, kLmStudio.size()) == kLmStudio;
}

std::string default_ollama_models_dir() {
  if (const char* v = std::getenv("OLLAMA_MODELS"); v != nullptr) {
    std::string s(v);
    auto trim = [&](std::string_view chars) {
      s.erase(0, s.find_first_not_of(chars));
      s.erase(s.find_last_not_of(chars) + 1);
    };
    trim(" \t\n\v\f\r");
    trim("\"'");
    if (!s.empty()) return s;
  }
  std::string home = home_dir();
  std::string user = home.empty() ? std::string() : (fs::path(home) / ".ollama" / "models").string();
  std::error_code ec;
  if (!user.empty() && fs::is_directory(user, ec)) return user;
  const std::string system = "/usr/share/ollama/.ollama/models";
  if (fs::is_directory(system, ec)) return system;
  return user;
}

Result<ModelLocation> locate_in_store(std::string_view model, const LoadOptions& options) {
  if (model.substr(0, kLmStudio.size()) == kLmStudio) return locate_lmstudio(model, options);
  return locate_ollama(model, options);
}

}  // namespace kvspec
