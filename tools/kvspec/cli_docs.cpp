// Completions and the man page from the CLI11 definition: every subcommand (but hidden ones), every option
// name (long, short, and the runtime spellings), which options take a value, and their help text.
#include "cli_docs.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

namespace kvspec::cli {
namespace {

const std::vector<std::string> kShells = {"bash", "zsh", "fish"};

std::vector<const CLI::App*> visible_subcommands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); });
}

const CLI::App* find_subcommand(const CLI::App& app, const std::string& name) {
  for (const auto* s : visible_subcommands(app))
    if (s->get_name() == name) return s;
  return nullptr;
}

struct OptionInfo {
  std::vector<std::string> names;  // "--context", "--max-model-len", "-c"
  bool takes_value = false;
  std::string description;
};

std::vector<OptionInfo> options_of(const CLI::App& cmd, const std::vector<Spelling>& spellings) {
  std::vector<OptionInfo> out;
  for (const CLI::Option* o : cmd.get_options()) {
    if (!o->nonpositional()) continue;
    OptionInfo info;
    for (const auto& l : o->get_lnames()) info.names.push_back("--" + l);
    for (const auto& s : o->get_snames()) info.names.push_back("-" + s);
    // The runtime spellings of this option (-np for --parallel), when the command has it.
    for (const auto& [from, to] : spellings)
      if (std::find(info.names.begin(), info.names.end(), to) != info.names.end())
        info.names.emplace_back(from);
    info.takes_value = o->get_expected_max() != 0;  // flags expect 0 values
    info.description = o->get_description();
    out.push_back(std::move(info));
  }
  return out;
}

std::string joined(const std::vector<std::string>& words, std::string_view sep = " ") {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : std::string(sep)) + w;
  return out;
}

std::string all_names(const std::vector<OptionInfo>& opts, bool values_only) {
  std::vector<std::string> names;
  for (const auto& o : opts)
    if (!values_only || o.takes_value) names.insert(names.end(), o.names.begin(), o.names.end());
  return joined(names);
}

// A help line made safe for a single-quoted shell word and for zsh's [description]: the first clause only.
std::string short_description(std::string d) {
  for (const char* stop : {". ", "; ", " ("})
    if (auto at = d.find(stop); at != std::string::npos) d.resize(at);
  std::string out;
  for (char c : d) {
    if (c == '[' || c == '(')
      out += ' ';
    else if (c == ']' || c == ')' || c == ':' || c == '\'' || c == '\\' || c == '$' || c == '`' || c == '"')
      continue;
    else
      out += c;
  }
  if (out.size() > 72) out = out.substr(0, 69) + "...";
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string bash_script(const CliDefinition& cli) {
  const CLI::App& app = *cli.app;
  std::vector<std::string> cmds;
  for (const auto* s : visible_subcommands(app)) cmds.push_back(s->get_name());
  std::string out =
      "# bash completion for kvspec (generated from its CLI definition: `kvspec completions bash`)\n"
      "_kvspec() {\n"
      "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" prev=\"${COMP_WORDS[COMP_CWORD-1]}\"\n"
      "  local cmd=\"\" i opts=\"\" values=\"\"\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    case \"${COMP_WORDS[i]}\" in\n" +
      fmt::format("      {}) cmd=\"${{COMP_WORDS[i]}}\"; break ;;\n", joined(cmds, "|")) +
      "    esac\n"
      "  done\n"
      "  case \"$cmd\" in\n";
  for (const auto* s : visible_subcommands(app)) {
    auto opts = options_of(*s, cli.spellings);
    out += fmt::format("    {}) opts=\"{}\"; values=\"{}\" ;;\n", s->get_name(), all_names(opts, false),
                       all_names(opts, true));
  }
  if (const auto* d = find_subcommand(app, cli.default_command)) {  // `kvspec MODEL ...`
    auto opts = options_of(*d, cli.spellings);
    out += fmt::format("    *) opts=\"{} --version\"; values=\"{}\" ;;\n", all_names(opts, false),
                       all_names(opts, true));
  }
  out +=
      "  esac\n"
      "  if [[ -n \"$prev\" && \" $values \" == *\" $prev \"* ]]; then\n"
      "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
      "  elif [[ \"$cur\" == -* ]]; then\n"
      "    COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
      "  elif [[ \"$cmd\" == completions ]]; then\n" +
      fmt::format("    COMPREPLY=($(compgen -W \"{}\" -- \"$cur\"))\n", joined(kShells)) +
      "  elif [[ -z \"$cmd\" ]]; then\n" +
      fmt::format("    COMPREPLY=($(compgen -W \"{}\" -- \"$cur\") $(compgen -f -- \"$cur\"))\n",
                  joined(cmds)) +
      "  else\n"
      "    COMPREPLY=($(compgen -f -- \"$cur\"))\n"
      "  fi\n"
      "}\n"
      "complete -o filenames -F _kvspec kvspec\n";
  return out;
}

std::string zsh_arguments(const CLI::App& cmd, const CliDefinition& cli) {
  std::string out = "      _arguments";
  for (const auto& o : options_of(cmd, cli.spellings))
    for (const auto& n : o.names)
      out += fmt::format(" \\\n        '{}[{}]{}'", n, short_description(o.description),
                         o.takes_value ? ":value:" : "");
  if (cmd.get_name() == "completions")
    out += fmt::format(" \\\n        ':shell:({})'", joined(kShells));
  else if (cmd.get_name() != "families")
    out += " \\\n        '*:MODEL:_files'";
  return out + " ;;\n";
}

std::string zsh_script(const CliDefinition& cli) {
  const CLI::App& app = *cli.app;
  std::vector<std::string> cmds;
  std::string out =
      "#compdef kvspec\n"
      "# zsh completion for kvspec (generated from its CLI definition: `kvspec completions zsh`)\n"
      "_kvspec() {\n"
      "  local -a commands\n"
      "  commands=(\n";
  for (const auto* s : visible_subcommands(app)) {
    cmds.push_back(s->get_name());
    out += fmt::format("    '{}:{}'\n", s->get_name(), short_description(s->get_description()));
  }
  out +=
      "  )\n"
      "  if (( CURRENT == 2 )) && [[ $words[2] != -* ]]; then\n"
      "    _describe -t commands 'kvspec command' commands\n"
      "    _files\n"
      "    return\n"
      "  fi\n" +
      fmt::format("  local cmd={}\n", cli.default_command) + "  case $words[2] in\n" +
      fmt::format("    {}) cmd=$words[2]; shift words; (( CURRENT-- )) ;;\n", joined(cmds, "|")) +
      "  esac\n"
      "  case $cmd in\n";
  for (const auto* s : visible_subcommands(app))
    out += fmt::format("    {})\n", s->get_name()) + zsh_arguments(*s, cli);
  out +=
      "  esac\n"
      "}\n"
      "_kvspec \"$@\"\n";
  return out;
}

std::string fish_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string fish_script(const CliDefinition& cli) {
  const CLI::App& app = *cli.app;
  std::vector<std::string> cmds;
  for (const auto* s : visible_subcommands(app)) cmds.push_back(s->get_name());
  std::string out =
      "# fish completion for kvspec (generated from its CLI definition: `kvspec completions fish`)\n"
      "complete -c kvspec -f\n";
  for (const auto* s : visible_subcommands(app))
    out += fmt::format("complete -c kvspec -n __fish_use_subcommand -a {} -d {}\n", s->get_name(),
                       fish_quote(short_description(s->get_description())));
  out += fmt::format("complete -c kvspec -n 'not __fish_seen_subcommand_from families completions' -F\n");
  out += fmt::format("complete -c kvspec -n '__fish_seen_subcommand_from completions' -a {}\n",
                     fish_quote(joined(kShells)));
  for (const auto* s : visible_subcommands(app)) {
    std::string cond = "__fish_seen_subcommand_from " + s->get_name();
    if (s->get_name() == cli.default_command)  // `kvspec MODEL --context ...`
      cond += "; or not __fish_seen_subcommand_from " + joined(cmds);
    for (const auto& o : options_of(*s, cli.spellings))
      for (const auto& n : o.names) {
        const bool is_long = n.rfind("--", 0) == 0;
        const std::string kind = is_long ? "-l" : (n.size() == 2 ? "-s" : "-o");
        out += fmt::format("complete -c kvspec -n {} {} {}{} -d {}\n", fish_quote(cond), kind,
                           n.substr(is_long ? 2 : 1), o.takes_value ? " -r" : "",
                           fish_quote(short_description(o.description)));
      }
  }
  return out;
}

// roff text: backslashes, hyphens (as \- so they copy and search as ASCII), a leading control character, and
// the non-ASCII symbols kvspec's help uses.
std::string roff(std::string_view text) {
  static const std::pair<std::string_view, std::string_view> kSymbols[] = {
      {"≥", "\\(>="}, {"≤", "\\(<="}, {"—", "\\(em"}, {"–", "\\(en"},
      {"×", "\\(mu"}, {"→", "\\(->"}, {"·", "\\(pc"}, {"…", "..."},
  };
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (const auto& [from, to] : kSymbols)
      if (text.substr(i, from.size()) == from) {
        out += to;
        i += from.size();
        replaced = true;
        break;
      }
    if (replaced) continue;
    const char c = text[i++];
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else if ((c == '.' || c == '\'') && (out.empty() || out.back() == '\n'))
      out += "\\&" + std::string(1, c);
    else
      out += c;
  }
  return out;
}

std::string man_options(const std::vector<OptionInfo>& opts) {
  std::string out;
  for (const auto& o : opts) {
    std::vector<std::string> names;
    for (const auto& n : o.names) names.push_back("\\fB" + roff(n) + "\\fR");
    out += ".TP\n" + joined(names, ", ") + (o.takes_value ? " \\fIVALUE\\fR" : "") + "\n" +
           roff(o.description) + "\n";
  }
  return out;
}

// Plain text to roff: lines starting with two spaces are literal (examples, lists), others paragraphs.
std::string man_text(std::string_view text) {
  std::string out;
  bool literal = false;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    const bool indented = line.rfind("  ", 0) == 0;
    if (indented && !literal) out += ".RS\n.nf\n";
    if (!indented && literal) out += ".fi\n.RE\n";
    literal = indented;
    if (line.empty()) continue;
    out += (indented ? "" : ".PP\n") + roff(indented ? line.substr(2) : line) + "\n";
  }
  if (literal) out += ".fi\n.RE\n";
  return out;
}

}  // namespace

std::string completion_script(const CliDefinition& cli, std::string_view shell) {
  if (shell == "bash") return bash_script(cli);
  if (shell == "zsh") return zsh_script(cli);
  if (shell == "fish") return fish_script(cli);
  return {};
}

std::string man_page(const CliDefinition& cli, std::string_view version,
                     const std::vector<std::pair<std::string, std::string>>& sections) {
  const CLI::App& app = *cli.app;
  std::string out = fmt::format(".TH KVSPEC 1 \"\" \"kvspec {}\" \"User Commands\"\n", roff(version));
  std::string what = app.get_description();
  if (what.rfind("kvspec: ", 0) == 0) what.erase(0, 8);  // "kvspec \- kvspec: ..." reads twice
  out += ".SH NAME\nkvspec \\- " + roff(what) + "\n";
  out += ".SH SYNOPSIS\n";
  for (const auto* s : visible_subcommands(app))
    out += fmt::format(".br\n\\fBkvspec {}\\fR [\\fIOPTIONS\\fR]{}\n", s->get_name(),
                       s->get_name() == "families"      ? ""
                       : s->get_name() == "completions" ? " \\fISHELL\\fR"
                                                        : " \\fIMODEL\\fR...");
  out += ".br\n\\fBkvspec\\fR \\fIMODEL\\fR [\\fIOPTIONS\\fR]\n";
  out += fmt::format(".PP\n\\fBkvspec \\fIMODEL\\fR is short for \\fBkvspec {} \\fIMODEL\\fR.\n",
                     cli.default_command);
  out += ".SH COMMANDS\n";
  for (const auto* s : visible_subcommands(app))
    out += ".TP\n\\fB" + roff(s->get_name()) + "\\fR\n" + roff(s->get_description()) + "\n";
  out += ".SH OPTIONS\n";
  const CLI::App* d = find_subcommand(app, cli.default_command);
  std::set<std::string> shared;
  if (d != nullptr)
    for (const auto& o : options_of(*d, cli.spellings)) shared.insert(o.names.front());
  for (const auto* s : visible_subcommands(app)) {
    auto opts = options_of(*s, cli.spellings);
    // A command with every option of the default command lists only its own (fit: --weights).
    std::set<std::string> names;
    for (const auto& o : opts) names.insert(o.names.front());
    const bool extends =
        s != d && !shared.empty() && std::includes(names.begin(), names.end(), shared.begin(), shared.end());
    std::vector<OptionInfo> own;
    for (const auto& o : opts)
      if (!extends || !shared.count(o.names.front())) own.push_back(o);
    out += fmt::format(".SS \"kvspec {}\"\n", s->get_name());
    if (extends)
      out += fmt::format("The options of \\fBkvspec {}\\fR{}\n", cli.default_command,
                         own.empty() ? "." : ", and:");
    out += man_options(own);
  }
  if (!cli.spellings.empty()) {
    out += ".SS \"Runtime spellings\"\n";
    for (const auto& [from, to] : cli.spellings)
      out += ".TP\n\\fB" + roff(from) + "\\fR\nthe same as \\fB" + roff(to) + "\\fR\n";
  }
  for (const auto& [title, text] : sections) out += ".SH " + roff(title) + "\n" + man_text(text);
  return out;
}

std::vector<std::string> option_names(const CLI::App& cmd) {
  std::vector<std::string> out;
  for (const auto& o : options_of(cmd, {}))
    for (const auto& n : o.names) out.push_back(n);
  return out;
}

}  // namespace kvspec::cli
