// A model folder built from the input → the split/shard de-duplication path: safetensors shards named by an
// index or listed from the folder (st::read_checkpoint), or the parts of a GGUF split set (read_model_files),
// each file written from the input or made an alias of an earlier one (hardlink, symbolic link, "./" name in
// the index). Whatever the folder, the answer is an error value (never internal), or a set of files that are
// distinct (st_dev, st_ino) and hold each tensor once, within the shard and tensor limits.
//
// Input: byte 0 picks the format (even: safetensors, odd: GGUF); then records of [op, u16 length, payload]:
//   op % 4 == 0: the next file, written with the payload;
//   op % 4 == 1: the next file, a hardlink to earlier file payload[0];
//   op % 4 == 2: the next file, a symbolic link to earlier file payload[0];
//   op % 4 == 3: safetensors: model.safetensors.index.json, written with the payload.
// Files are named model-0000K-of-0000N.{safetensors,gguf}, N the number of file records (at most 8).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "format/safetensors.hpp"
#include "spec/gguf_splits.hpp"
#include "targets/fuzz_check.hpp"
#include "targets/targets.hpp"

namespace kvspec::fuzz {

namespace {

namespace fs = std::filesystem;

struct Record {
  int op = 0;
  std::string payload;
};

std::vector<Record> records(ByteReader& in) {
  std::vector<Record> out;
  while (!in.empty() && out.size() < 12) {
    Record r;
    r.op = in.u8() % 4;
    std::size_t n = static_cast<std::size_t>(in.u8()) << 8;
    n |= in.u8();
    for (std::size_t i = 0; i < n && !in.empty(); ++i) r.payload.push_back(static_cast<char>(in.u8()));
    out.push_back(std::move(r));
  }
  return out;
}

// A fresh folder per input, removed afterwards.
class Folder {
 public:
  Folder() {
    std::string tmpl = (fs::temp_directory_path() / "kvspec-fuzz-shards-XXXXXX").string();
    KVSPEC_FUZZ_CHECK(::mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~Folder() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  Folder(const Folder&) = delete;
  Folder& operator=(const Folder&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void write(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::pair<dev_t, ino_t> id_of(const std::string& path) {
  struct stat st {};
  KVSPEC_FUZZ_CHECK(::stat(path.c_str(), &st) == 0, path);
  return {st.st_dev, st.st_ino};
}

}  // namespace

void shards_one(std::string_view bytes) {
  ByteReader in(bytes);
  const bool gguf = (in.u8() & 1) != 0;
  std::vector<Record> recs = records(in);
  std::size_t n_files = 0;
  for (const auto& r : recs) n_files += r.op != 3 ? 1 : 0;
  n_files = std::min<std::size_t>(n_files, 8);
  if (n_files == 0) return;
  Folder dir;
  const char* ext = gguf ? "gguf" : "safetensors";
  std::vector<std::string> names;
  for (const auto& r : recs) {
    if (r.op == 3) {
      if (!gguf) write(dir.path() + "/model.safetensors.index.json", r.payload);
      continue;
    }
    if (names.size() == n_files) continue;
    std::string name = fmt::format("model-{:05d}-of-{:05d}.{}", names.size() + 1, n_files, ext);
    std::string path = dir.path() + "/" + name;
    std::size_t target =
        r.payload.empty() || names.empty() ? 0 : static_cast<unsigned char>(r.payload[0]) % names.size();
    if (r.op == 1 && !names.empty()) {
      std::error_code ec;
      fs::create_hard_link(dir.path() + "/" + names[target], path, ec);
    } else if (r.op == 2 && !names.empty()) {
      std::error_code ec;
      fs::create_symlink(names[target], path, ec);
    } else {
      write(path, r.payload);
    }
    names.push_back(name);
  }

  if (gguf) {
    auto m = read_model_files(dir.path() + "/" + names.front());
    if (!m) {
      KVSPEC_FUZZ_CHECK(m.error().code != ErrorCode::internal, m.error().message());
      return;
    }
    KVSPEC_FUZZ_CHECK(!m->files.empty() && static_cast<std::int64_t>(m->files.size()) <= kMaxSplitParts);
    std::set<std::pair<dev_t, ino_t>> ids;
    std::set<std::string> tensors;
    for (const auto& f : m->files) {
      KVSPEC_FUZZ_CHECK(ids.insert(id_of(f.path)).second, "two parts are one file: " + f.path);
      for (const auto& t : f.tensors)
        KVSPEC_FUZZ_CHECK(tensors.insert(t.name).second, "tensor twice: " + t.name);
    }
    KVSPEC_FUZZ_CHECK(tensors.size() <= gguf::kMaxTensorCount);
    return;
  }
  auto ck = st::read_checkpoint(dir.path());
  if (!ck) {
    KVSPEC_FUZZ_CHECK(ck.error().code != ErrorCode::internal, ck.error().message());
    return;
  }
  if (!*ck) return;
  KVSPEC_FUZZ_CHECK((*ck)->files.size() <= st::kMaxShards);
  std::set<std::pair<dev_t, ino_t>> ids;
  std::set<std::string> tensors;
  for (const auto& f : (*ck)->files) {
    KVSPEC_FUZZ_CHECK(ids.insert(id_of(f.path)).second, "two shards are one file: " + f.path);
    for (const auto& t : f.tensors)
      KVSPEC_FUZZ_CHECK(tensors.insert(t.name).second, "tensor twice: " + t.name);
  }
  KVSPEC_FUZZ_CHECK(tensors.size() <= st::kMaxCheckpointTensors);
}

}  // namespace kvspec::fuzz
