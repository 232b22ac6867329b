// Writes the benchmark's GGUF: Llama-3.1-8B metadata and tensor infos with an N-token vocabulary (default
// 256k), header only.   kvspec_gguf_gen OUT.gguf [N]
#include <cstdio>
#include <cstdlib>

#include "support/gguf_models.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT.gguf [n_vocab]\n", argv[0]);
    return 2;
  }
  unsigned long long n = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 256ull * 1024;
  kvspec::test::llama31_8b(n).write(argv[1]);
  return 0;
}
