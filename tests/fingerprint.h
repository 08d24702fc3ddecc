// Result fingerprints of scenario tests, the OMNeT++ habit: every scenario test that
// runs a fabric records a hash of its event count and of every flow's outcome (status
// and completion time), and the test fails if that differs from the value stored in
// tests/fingerprints.txt, so a change that silently shifts results is caught even where
// a test's own assertions have tolerance. A change that is meant to move results
// re-records them, and its commit says why:
//
//   AIFABRIC_UPDATE_FINGERPRINTS=1 build/bin/aifabric_tests
//
// Keys are the test's name plus the number of the fabric within the test (#1, #2, ...).
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace aifabric::testing {

// Accumulates a run's outcome: the event count, then each flow's status and FCT.
class Fingerprint {
 public:
  explicit Fingerprint(uint64_t events) : events_(events) { mix(events); }
  void add_flow(int status, int64_t fct_ps) {
    ++flows_;
    mix(static_cast<uint64_t>(status));
    mix(static_cast<uint64_t>(fct_ps));
  }
  std::string text() const {
    char buf[96];
    std::snprintf(buf, sizeof buf, "events=%" PRIu64 " flows=%" PRIu64 " fp=%016" PRIx64, events_,
                  flows_, h_);
    return buf;
  }

 private:
  void mix(uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      h_ ^= (v >> (8 * i)) & 0xff;
      h_ *= 1099511628211ULL;
    }
  }
  uint64_t events_;
  uint64_t flows_ = 0;
  uint64_t h_ = 1469598103934665603ULL;
};

// Compares `fp` with the stored value of the current test's next fabric (or records
// it, in update mode).
inline void expect_fingerprint(const Fingerprint& fp) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  if (info == nullptr) return;
  static std::string last_test;
  static int serial = 0;
  const std::string test = std::string(info->test_suite_name()) + "." + info->name();
  serial = test == last_test ? serial + 1 : 1;
  last_test = test;
  const std::string key = test + "#" + std::to_string(serial);
  const std::string path = std::string(AIFABRIC_SOURCE_DIR) + "/tests/fingerprints.txt";
  const bool update = std::getenv("AIFABRIC_UPDATE_FINGERPRINTS") != nullptr;
  // Tests run in parallel processes: read-modify-write under an advisory lock.
  const int fd = open(path.c_str(), O_RDWR | O_CREAT, 0644);
  if (fd < 0) {
    ADD_FAILURE() << "cannot open " << path;
    return;
  }
  flock(fd, update ? LOCK_EX : LOCK_SH);
  std::map<std::string, std::string> stored;
  {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      const size_t sp = line.find(' ');
      if (!line.empty() && line[0] != '#' && sp != std::string::npos) {
        stored[line.substr(0, sp)] = line.substr(sp + 1);
      }
    }
  }
  if (update) {
    stored[key] = fp.text();
    std::ofstream out(path, std::ios::trunc);
    out << "# Scenario-test fingerprints (tests/fingerprint.h): test#fabric events flows hash.\n"
           "# Re-record with AIFABRIC_UPDATE_FINGERPRINTS=1 build/bin/aifabric_tests and say why"
           " in the commit.\n";
    for (const auto& [k, v] : stored) out << k << " " << v << "\n";
  } else {
    const auto it = stored.find(key);
    if (it == stored.end()) {
      ADD_FAILURE() << "no stored fingerprint for " << key << " (" << fp.text()
                    << "); record it with AIFABRIC_UPDATE_FINGERPRINTS=1";
    } else {
      EXPECT_EQ(it->second, fp.text()) << "the results of " << key << " changed";
    }
  }
  flock(fd, LOCK_UN);
  close(fd);
}

// The fingerprint of a RunReport (scenario runs through simulate()).
template <class Report>
void expect_report_fingerprint(const Report& r) {
  Fingerprint fp(r.events);
  for (const auto& f : r.flows) fp.add_flow(static_cast<int>(f.status), f.fct.ps());
  if (r.workload) fp.add_flow(100, r.workload->iteration.ps());  // a job's makespan
  if (r.collective) fp.add_flow(101, r.collective->time.ps());
  expect_fingerprint(fp);
}

}  // namespace aifabric::testing
