// Running the kvspec binary from tests: exit code and combined output.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "support/temp_dir.hpp"

namespace kvspec::test {

struct CliResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

// Runs a shell command line; only what reaches the pipe (the shell's stdout) is captured.
inline CliResult run_shell(const std::string& cmd) {
  CliResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  std::size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline CliResult run_cli(const std::string& args, const std::string& env = "") {
  return run_shell(env + (env.empty() ? "" : " ") + std::string(KVSPEC_CLI) + " " + args + " 2>&1");
}

// `tail` holds the arguments and the redirections as written (e.g. "families 2>&1 >/dev/full"); exit_code is
// -1 when a signal ended the CLI.
inline CliResult run_cli_redirected(const std::string& tail) {
  return run_shell(std::string(KVSPEC_CLI) + " " + tail);
}

}  // namespace kvspec::test
