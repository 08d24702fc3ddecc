// report.html of one run: the header and headline, then the sections that apply to its
// kind (report_html.h).
#include "aifabric/telemetry/report/report_html.h"

#include <filesystem>
#include <fstream>

#include "aifabric/telemetry/report/report_db.h"
#include "aifabric/telemetry/report/report_headline.h"
#include "aifabric/telemetry/report/report_page.h"
#include "aifabric/telemetry/report/report_sections.h"

namespace aifabric {

Status write_report_html(const std::string& dir) {
  using namespace report;  // NOLINT(google-build-using-namespace)
  auto opened = ReportDb::open(dir);
  if (!opened) return opened.status();
  const ReportDb& db = **opened;
  RunInfo run = run_info(db.summary());
  run.faults = faults_headline(db);

  std::string sections;
  std::string nav;
  auto add = [&](const std::string& id, const std::string& label, const std::string& html) {
    if (html.empty()) return;
    sections += html;
    nav += "<a href=\"#" + id + "\">" + label + "</a>";
  };
  if (run.kind != RunKind::kFlows)
    add("job", run.kind == RunKind::kJob ? "Training job" : "Collective", job_section(db, run));
  if (run.analytic) {
    add("fabric", "Fabric", not_modelled_section());
  } else {
    add("faults", "Faults", faults_section(db));
    add("flows", "Flows", flows_section(db));
    add("links", "Links", links_section(db));
    add("queues", "Queues and pauses", queues_section(db));
    add("throughput", "Throughput", throughput_section(db));
  }
  if (run.kind == RunKind::kFlows) add("job", "Job timeline", job_section(db, run));
  add("details", "Run details", details_section(db, run));

  const std::string body = header_html(run) + "<nav class=\"toc\">" + nav + "</nav>\n" + sections;
  const std::string html = page("aifabric: " + title_text(run), body);
  const auto path = std::filesystem::path(dir) / "report.html";
  std::ofstream out(path);
  if (!out) return Status::error(path.string() + ": cannot write");
  out << html;
  out.close();
  if (!out) return Status::error(path.string() + ": cannot write");
  return Status::ok();
}

}  // namespace aifabric
