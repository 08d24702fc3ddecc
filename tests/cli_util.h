// Running the real aifabric binary from tests: its exit status and output, temporary
// folders, small files.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace aifabric::testing {

namespace fs = std::filesystem;

struct Cmd {
  int status;
  std::string out;  // stdout and stderr, byte for byte
  double seconds;   // wall time
};

// Runs a shell command line (a list or pipeline too: all its stderr is captured), with
// $B set to the aifabric binary; status is the exit status (-1 when killed by a signal).
inline Cmd shell(const std::string& command) {
  const std::string cmd = "B='" + std::string(AIFABRIC_BINARY) + "'; { " + command + "\n} 2>&1";
  const auto t0 = std::chrono::steady_clock::now();
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  const int st = pclose(p);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out, s};
}

// Runs aifabric with `args` (a shell fragment).
inline Cmd run_cli(const std::string& args) {
  return shell(std::string(AIFABRIC_BINARY) + " " + args);
}

inline fs::path fresh_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / ("aifabric_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

inline std::string put(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
  return p.string();
}

inline std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string example(const std::string& name) {
  return std::string(AIFABRIC_SOURCE_DIR) + "/examples/" + name;
}

}  // namespace aifabric::testing
