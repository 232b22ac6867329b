// Shell completions and the man page, generated from the CLI's own definition (the CLI11 App and the runtime
// spellings table), so they cannot drift from the flags the parser accepts.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace kvspec::cli {

// A single-dash runtime spelling rewritten to its long form before parsing ({"-np", "--parallel"}).
using Spelling = std::pair<std::string_view, std::string_view>;

struct CliDefinition {
  const CLI::App* app = nullptr;
  std::vector<Spelling> spellings;
  std::string default_command;  // `kvspec MODEL` means `kvspec inspect MODEL`
};

// The completion script for "bash", "zsh" or "fish"; empty for another shell.
std::string completion_script(const CliDefinition& cli, std::string_view shell);

// The man page (roff, man(7) macros). `sections` are extra titled sections in order (MODEL, EXIT STATUS,
// EXAMPLES): their text is plain, one paragraph per line, lines starting with two spaces kept as examples.
std::string man_page(const CliDefinition& cli, std::string_view version,
                     const std::vector<std::pair<std::string, std::string>>& sections);

// The long and short option names of `cmd` ("--context", "-c"), for flag did-you-mean.
std::vector<std::string> option_names(const CLI::App& cmd);

}  // namespace kvspec::cli
