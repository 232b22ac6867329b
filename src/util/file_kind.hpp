// What a path is, in words, for messages that refuse something that is not the file or folder expected.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <string_view>

namespace kvspec {

inline std::string_view describe_file_mode(mode_t mode) {
  if (S_ISREG(mode)) return "a regular file";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a named pipe (FIFO)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

inline std::string_view describe_file_type(std::filesystem::file_type t) {
  using T = std::filesystem::file_type;
  switch (t) {
    case T::regular:
      return "a regular file";
    case T::directory:
      return "a directory";
    case T::fifo:
      return "a named pipe (FIFO)";
    case T::character:
      return "a character device";
    case T::block:
      return "a block device";
    case T::socket:
      return "a socket";
    case T::symlink:
      return "a symbolic link";
    case T::not_found:
      return "nothing (missing)";
    default:
      return "not a regular file";
  }
}

}  // namespace kvspec
