// rss_probe STATS_FILE TIMEOUT_S PROGRAM ARGS...: runs PROGRAM in a forked child under a wall-clock bound and
// writes "exit signal timed_out max_rss_kib seconds" to STATS_FILE. A separate small process because Linux
// carries the RSS high-water mark of a process's memory before exec into its ru_maxrss: spawned straight from
// the (large) test binary, the figure would be the test binary's, not the program's.
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace {

double now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: rss_probe STATS_FILE TIMEOUT_S PROGRAM ARGS...\n");
    return 2;
  }
  const double timeout = std::atof(argv[2]);
  const double start = now();
  pid_t pid = fork();
  if (pid < 0) return 3;
  if (pid == 0) {
    execv(argv[3], argv + 3);
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  bool timed_out = false;
  while (true) {
    pid_t w = wait4(pid, &status, WNOHANG, &ru);
    if (w == pid) break;
    if (w < 0 || now() - start > timeout) {
      kill(pid, SIGKILL);
      wait4(pid, &status, 0, &ru);
      timed_out = true;
      break;
    }
    usleep(2000);
  }
  const double seconds = now() - start;
  FILE* f = std::fopen(argv[1], "w");
  if (f == nullptr) return 4;
  std::fprintf(f, "%d %d %d %ld %.6f\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
               WIFSIGNALED(status) ? WTERMSIG(status) : 0, timed_out ? 1 : 0, ru.ru_maxrss, seconds);
  std::fclose(f);
  return 0;
}
