// A results folder's store and summary, read for the report pages (report_db.h).
#include "aifabric/telemetry/report/report_db.h"

#include <filesystem>
#include <fstream>

namespace aifabric::report {

Result<std::shared_ptr<const ReportDb>> ReportDb::open(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / "telemetry.sqlite").string();
  if (!std::filesystem::exists(path)) {
    return Status::error(path + ": no results store (is telemetry off, or not a results folder?)");
  }
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(raw);
    return Status::error(path + ": cannot read the results store");
  }
  auto db = std::make_shared<ReportDb>(raw);
  if (const auto id = db->rows("SELECT run_id FROM runs LIMIT 1"); !id.empty()) {
    db->run_id_ = static_cast<int64_t>(id[0][0]);
  }
  // summary.json as written beside the store; the store's own copy where it is missing.
  std::ifstream in(std::filesystem::path(dir) / "summary.json");
  if (in) db->summary_ = nlohmann::json::parse(in, nullptr, false);
  if (!db->summary_.is_object()) {
    const auto text = db->texts("SELECT summary_json FROM runs LIMIT 1");
    if (text.empty()) return Status::error(path + ": no run in the results store");
    db->summary_ = nlohmann::json::parse(text[0], nullptr, false);
  }
  if (!db->summary_.is_object()) {
    return Status::error("corrupt results store: " + path +
                         ": the run's summary is not a JSON object");
  }
  return std::shared_ptr<const ReportDb>(std::move(db));
}

std::vector<std::vector<double>> ReportDb::rows(const std::string& sql) const {
  std::vector<std::vector<double>> out;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK) return out;
  while (sqlite3_step(st) == SQLITE_ROW) {
    const int columns = sqlite3_column_count(st);
    std::vector<double> row(static_cast<size_t>(columns));
    for (int i = 0; i < columns; ++i) row[static_cast<size_t>(i)] = sqlite3_column_double(st, i);
    out.push_back(std::move(row));
  }
  sqlite3_finalize(st);
  return out;
}

std::vector<std::string> ReportDb::texts(const std::string& sql) const {
  std::vector<std::string> out;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK) return out;
  while (sqlite3_step(st) == SQLITE_ROW) {
    const auto* t = sqlite3_column_text(st, 0);
    out.emplace_back(t != nullptr ? reinterpret_cast<const char*>(t) : "");
  }
  sqlite3_finalize(st);
  return out;
}

std::vector<std::vector<std::string>> ReportDb::text_rows(const std::string& sql) const {
  std::vector<std::vector<std::string>> out;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK) return out;
  while (sqlite3_step(st) == SQLITE_ROW) {
    const int columns = sqlite3_column_count(st);
    std::vector<std::string> row;
    row.reserve(static_cast<size_t>(columns));
    for (int i = 0; i < columns; ++i) {
      const auto* t = sqlite3_column_text(st, i);
      row.emplace_back(t != nullptr ? reinterpret_cast<const char*>(t) : "");
    }
    out.push_back(std::move(row));
  }
  sqlite3_finalize(st);
  return out;
}

}  // namespace aifabric::report
