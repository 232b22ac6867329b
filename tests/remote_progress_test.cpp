// The progress line of a remote fetch: on stderr only when stderr is a terminal (a pseudo-terminal here) and
// --quiet is not given, shown once a fetch takes over 0.5 s (the test Hub answers after 0.6 s), and cleared
// at the end so the terminal is left as it was. stdout (the JSON) never carries it.
#include <pty.h>
#include <unistd.h>

#include <cerrno>

#include "support/remote_fixture.hpp"

namespace kvspec::test {
namespace {

class RemoteProgressTest : public RemoteTest {
 protected:
  // kvspec ARGS with stderr on a pseudo-terminal and stdout to a file; returns what the terminal showed.
  CliRun on_terminal(const std::string& args) {
    const std::string out = tmp.path() + "/stdout.json";
    const std::string cmd = "exec env HF_ENDPOINT=" + hub.endpoint() + " KVSPEC_CACHE=" + cache.path() +
                            " HF_HOME=" + tmp.path() + "/hfhome HF_HUB_CACHE=" + tmp.path() + "/hfhub " +
                            KVSPEC_CLI + " " + args + " >" + out;
    CliRun r;
    int master = -1;
    pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    EXPECT_GT(pid, 0);
    if (pid <= 0) return r;
    char buf[4096];
    for (;;) {
      ssize_t n = read(master, buf, sizeof buf);
      if (n > 0)
        r.err.append(buf, static_cast<std::size_t>(n));
      else if (n < 0 && errno == EINTR)
        continue;
      else
        break;  // EIO: the child closed the terminal
    }
    close(master);
    int status = 0;
    waitpid(pid, &status, 0);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    return r;
  }
};

constexpr const char* kProgress = "kvspec: fetching";
constexpr const char* kClear = "\r\x1b[K";

TEST_F(RemoteProgressTest, NeverWhenStderrIsNotATerminal) {
  HubRepo& r = tiny();
  r.slow_ms = 600;
  auto run = cli("inspect hf://org/tiny --json");  // stderr to a file
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.err.find(kProgress), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find('\r'), std::string::npos);
  EXPECT_EQ(run.err.find('\x1b'), std::string::npos);
  EXPECT_TRUE(parse(run.out).find("remote")->is_object());
}

TEST_F(RemoteProgressTest, OnATerminalShownThenCleared) {
  HubRepo& r = tiny();
  r.slow_ms = 600;
  auto run = on_terminal("inspect hf://org/tiny --json");
  ASSERT_EQ(run.code, 0) << run.err;
  const std::size_t last = run.err.rfind(kProgress);
  ASSERT_NE(last, std::string::npos) << run.err;
  // Every line shown is wiped: the terminal ends with the clearing sequence and nothing after it.
  ASSERT_GE(run.err.size(), std::string(kClear).size());
  EXPECT_EQ(run.err.substr(run.err.size() - std::string(kClear).size()), kClear) << run.err;
  EXPECT_NE(run.err.find(kClear, last), std::string::npos);
  // The JSON on stdout is clean.
  EXPECT_EQ(run.out.find(kProgress), std::string::npos);
  EXPECT_EQ(parse(run.out).find("num_layers")->as_int(), 28);

  // --quiet: nothing on the terminal at all.
  auto quiet = on_terminal("inspect hf://org/tiny --json --refresh --quiet");
  ASSERT_EQ(quiet.code, 0) << quiet.err;
  EXPECT_EQ(quiet.err, "");
  EXPECT_EQ(parse(quiet.out).find("num_layers")->as_int(), 28);
}

}  // namespace
}  // namespace kvspec::test
