// Read-only access to a results folder for the report pages: its telemetry.sqlite (rows as
// numbers or text) and its summary.json (the file, or the copy in the store's runs table).
#pragma once

#include <sqlite3.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aifabric/core/status.h"

namespace aifabric::report {

class ReportDb {
 public:
  // Owns `db` (use open()).
  explicit ReportDb(sqlite3* db) : db_(db) {}
  ReportDb(const ReportDb&) = delete;
  ReportDb& operator=(const ReportDb&) = delete;
  // Opens `dir`/telemetry.sqlite; the error names the file.
  static Result<std::shared_ptr<const ReportDb>> open(const std::string& dir);

  // Every row of `sql` as numbers (text columns read as 0); none when the query fails.
  std::vector<std::vector<double>> rows(const std::string& sql) const;
  // The first column of every row as text.
  std::vector<std::string> texts(const std::string& sql) const;
  // Every column of every row as text (NULL as "").
  std::vector<std::vector<std::string>> text_rows(const std::string& sql) const;
  const nlohmann::json& summary() const { return summary_; }
  // The run the pages show (a store holds one): queries name it so that the store's
  // (run_id, port_id, t_ps) indexes serve a port's series without scanning the table.
  int64_t run_id() const { return run_id_; }

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close(db); }
  };
  std::unique_ptr<sqlite3, Closer> db_;
  nlohmann::json summary_;
  int64_t run_id_ = 1;
};

}  // namespace aifabric::report
