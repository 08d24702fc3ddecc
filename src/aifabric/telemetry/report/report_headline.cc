// The run's title, verdict and headline numbers from summary.json (report_headline.h).
#include "aifabric/telemetry/report/report_headline.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "aifabric/telemetry/report/report_format.h"

namespace aifabric::report {
namespace {

using nlohmann::json;

std::string text_at(const json& j, const char* pointer, const std::string& fallback) {
  const json::json_pointer p(pointer);
  if (!j.contains(p)) return fallback;
  const json& v = j.at(p);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  if (v.is_null()) return fallback;
  return v.dump();
}

int64_t int_at(const json& j, const char* pointer) {
  return std::llround(number_at(j, pointer, 0));
}

// A total of paused time (µs) in words: "none" rather than "0 ps".
std::string paused(double us) {
  return us > 0 ? seconds(us * 1e-6) : std::string("none");
}

void fabric_cards(const json& s, std::vector<Card>& cards) {
  const int64_t drops = int_at(s, "/drops/packets");
  cards.push_back({"Drops", count(drops),
                   drops == 0 ? std::string("no packet lost")
                              : fmt::format("{} buffer · {} headroom · {} link errors",
                                            count(int_at(s, "/drops/buffer")),
                                            count(int_at(s, "/drops/pfc_headroom")),
                                            count(int_at(s, "/drops/link_errors")))});
  cards.push_back(
      {"PFC paused time", paused(number_at(s, "/pfc/paused_time_us_total", 0)),
       fmt::format("{} pause frames · {} ports paused", count(int_at(s, "/pfc/pause_frames")),
                   count(int_at(s, "/pfc/ports_paused")))});
}

void flow_headline(const json& s, RunInfo& r) {
  const int64_t total = int_at(s, "/flows/total");
  const int64_t done = int_at(s, "/flows/completed");
  const int64_t failed = int_at(s, "/flows/failed");
  const int64_t unfinished = int_at(s, "/flows/unfinished");
  const double makespan = number_at(s, "/time/makespan_s", NAN);
  const double sd50 = number_at(s, "/flows/slowdown/p50", NAN);
  const double sd99 = number_at(s, "/flows/slowdown/p99", NAN);
  const bool any = done > 0;
  r.cards.push_back({"Flows completed", fmt::format("{} of {}", count(done), count(total)),
                     failed > 0       ? count(failed) + " failed"
                     : unfinished > 0 ? count(unfinished) + " unfinished"
                                      : std::string("every flow finished")});
  r.cards.push_back({"Makespan", seconds(makespan), "until the last flow finished"});
  r.cards.push_back({"FCT p50", any ? seconds(number_at(s, "/flows/fct_us/p50", NAN) * 1e-6) : "-",
                     "median flow completion time"});
  r.cards.push_back({"FCT p99", any ? seconds(number_at(s, "/flows/fct_us/p99", NAN) * 1e-6) : "-",
                     "max " + seconds(number_at(s, "/flows/fct_us/max", NAN) * 1e-6)});
  r.cards.push_back({"Slowdown p50", any ? ratio(sd50) : "-", "FCT ÷ FCT on an idle fabric"});
  r.cards.push_back(
      {"Slowdown p99", any ? ratio(sd99) : "-",
       percent(number_at(s, "/flows/slowdown/fraction_at_least_2x", 0)) + " of flows ≥ 2×"});
  fabric_cards(s, r.cards);
  if (failed > 0) {
    r.status = "failed";
    r.verdict = fmt::format("{} of {} flows failed; {} completed by {}.", count(failed),
                            count(total), count(done), seconds(makespan));
  } else if (unfinished > 0 || number_at(s, "/time/stopped_at_stop_time", 0) != 0) {
    r.status = "stop_time";
    r.verdict =
        fmt::format("The run reached its stop time ({}) with {} of {} flows completed.",
                    seconds(number_at(s, "/time/simulated_s", NAN)), count(done), count(total));
  } else {
    r.status = "completed";
    r.verdict = total == 1
                    ? fmt::format("The flow completed in {}, {} as long as on an idle fabric.",
                                  seconds(makespan), ratio(sd50))
                    : fmt::format(
                          "All {} flows completed within {}; the median flow took {} and the "
                          "slowest 1 % {} as long as on an idle fabric.",
                          count(total), seconds(makespan), ratio(sd50), ratio(sd99));
  }
}

void job_headline(const json& s, RunInfo& r) {
  const double it = number_at(s, "/workload/iteration_s", NAN);
  const double bubble = number_at(s, "/workload/pipeline_bubble_s", NAN);
  const std::string backend = text_at(s, "/workload/backend", "?");
  r.cards.push_back(
      {"Iteration time", seconds(it),
       fmt::format("{} backend · {} tasks", backend, count(int_at(s, "/workload/tasks")))});
  r.cards.push_back({"Communication share",
                     percent(number_at(s, "/workload/communication_share", NAN)),
                     seconds(number_at(s, "/workload/exposed_communication_s", NAN)) +
                         " exposed (not overlapped)"});
  r.cards.push_back(
      {"Pipeline bubble", seconds(bubble), percent(bubble / it) + " of the iteration"});
  r.cards.push_back(
      {"Compute", seconds(number_at(s, "/workload/compute_s", NAN)), "on the busiest GPU"});
  // The collectives that took longest in all (mean time x instances), by bus bandwidth.
  std::vector<const json*> colls;
  if (s.contains("workload") && s["workload"].contains("collectives")) {
    for (const auto& c : s["workload"]["collectives"]) colls.push_back(&c);
  }
  auto total_time = [](const json* c) {
    return c->value("mean_time_us", 0.0) * c->value("instances", 0.0);
  };
  std::stable_sort(colls.begin(), colls.end(),
                   [&](const json* a, const json* b) { return total_time(a) > total_time(b); });
  for (size_t i = 0; i < colls.size() && i < 3; ++i) {
    const json& c = *colls[i];
    r.cards.push_back({"busbw · " + c.value("name", std::string("?")),
                       bandwidth_GBps(c.value("busbw_GBps", 0.0)),
                       fmt::format("{}, {} ranks × {}", c.value("kind", std::string("?")),
                                   c.value("ranks", 0), data_size(c.value("bytes", 0.0)))});
  }
  if (int_at(s, "/flows/failed") > 0) {
    r.status = "failed";
    r.verdict = fmt::format("{} of the job's transfers failed: the iteration time is not valid.",
                            count(int_at(s, "/flows/failed")));
  } else if (number_at(s, "/time/stopped_at_stop_time", 0) != 0) {
    r.status = "stop_time";
    r.verdict = "The run reached its stop time before the iteration finished.";
  } else {
    r.status = "completed";
    r.verdict = fmt::format(
        "One training iteration takes {} on the {} backend; exposed communication is {} of it "
        "and the pipeline bubble {}.",
        seconds(it), backend, percent(number_at(s, "/workload/communication_share", NAN)),
        seconds(bubble));
  }
}

void collective_headline(const json& s, RunInfo& r) {
  const std::string what =
      fmt::format("{} ({}), {} ranks × {}", text_at(s, "/collective/op", "?"),
                  text_at(s, "/collective/algorithm", "?"), int_at(s, "/collective/ranks"),
                  data_size(number_at(s, "/collective/bytes", 0)));
  const double t = number_at(s, "/collective/time_us", NAN) * 1e-6;
  const bool finished = std::isfinite(t) && number_at(s, "/collective/finished", 0) != 0;
  const double busbw = number_at(s, "/collective/busbw_GBps", NAN);
  const double share = number_at(s, "/collective/busbw_over_line_rate", NAN);
  const double line = number_at(s, "/collective/nic_line_rate_GBps", NAN);
  r.cards.push_back({"Collective time", finished ? seconds(t) : "not finished", what});
  r.cards.push_back(
      {"algbw", bandwidth_GBps(number_at(s, "/collective/algbw_GBps", NAN)), "size ÷ time"});
  r.cards.push_back({"busbw", bandwidth_GBps(busbw), "algbw × the collective's bus factor"});
  r.cards.push_back(
      {"busbw / line rate", percent(share), "of the " + bandwidth_GBps(line) + " NIC"});
  fabric_cards(s, r.cards);
  if (int_at(s, "/flows/failed") > 0) {
    r.status = "failed";
    r.verdict =
        fmt::format("{} of the collective's transfers failed.", count(int_at(s, "/flows/failed")));
  } else if (!finished) {
    r.status = "stop_time";
    r.verdict = "The collective " + what + " did not finish by the stop time.";
  } else {
    r.status = "completed";
    r.verdict = fmt::format("The {} took {}: bus bandwidth {}, {} of the NIC line rate.", what,
                            seconds(t), bandwidth_GBps(busbw), percent(share));
  }
}

const char* kind_name(RunKind k) {
  switch (k) {
    case RunKind::kJob:
      return "training job";
    case RunKind::kCollective:
      return "collective";
    case RunKind::kFlows:
      break;
  }
  return "flows";
}

}  // namespace

double number_at(const nlohmann::json& j, const char* pointer, double fallback) {
  const json::json_pointer p(pointer);
  if (!j.is_object() || !j.contains(p)) return fallback;
  const json& v = j.at(p);
  if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
  return v.is_number() ? v.get<double>() : fallback;
}

RunInfo run_info(const nlohmann::json& s) {
  RunInfo r;
  const bool has_run = s.contains("run") && s["run"].is_object();
  r.name = text_at(s, has_run ? "/run/name" : "/scenario", text_at(s, "/scenario", "run"));
  if (r.name.empty()) r.name = text_at(s, "/scenario", "run");
  r.seed = text_at(s, has_run ? "/run/seed" : "/seed", text_at(s, "/seed", ""));
  r.version = text_at(s, has_run ? "/run/aifabric_version" : "/aifabric_version",
                      text_at(s, "/aifabric_version", ""));
  if (has_run) {
    r.command = text_at(s, "/run/command", "");
    r.scenario_file = text_at(s, "/run/scenario_file", "");
    if (s["run"].contains("overrides") && s["run"]["overrides"].is_array()) {
      for (const auto& o : s["run"]["overrides"]) {
        if (o.is_string()) r.overrides.push_back(o.get<std::string>());
      }
    }
  }
  r.topology =
      fmt::format("{} hosts, {} switches, {} links", count(int_at(s, "/topology/hosts")),
                  count(int_at(s, "/topology/switches")), count(int_at(s, "/topology/links")));
  const bool job = s.contains("workload") && s["workload"].is_object();
  r.kind = job                                                       ? RunKind::kJob
           : s.contains("collective") && s["collective"].is_object() ? RunKind::kCollective
                                                                     : RunKind::kFlows;
  r.analytic = job && text_at(s, "/workload/backend", "") == "analytic";
  switch (r.kind) {
    case RunKind::kJob:
      job_headline(s, r);
      break;
    case RunKind::kCollective:
      collective_headline(s, r);
      break;
    case RunKind::kFlows:
      flow_headline(s, r);
      break;
  }
  // The run's own verdict, where summary.json has one, says it best.
  const std::string status = text_at(s, "/verdict/status", "");
  if (status == "completed" || status == "stop_time" || status == "failed") r.status = status;
  const std::string verdict = text_at(s, "/verdict/text", "");
  if (!verdict.empty()) r.verdict = verdict;
  return r;
}

std::string title_text(const RunInfo& run) {
  std::string t = run.name;
  for (const auto& o : run.overrides) t += " · " + o;
  return t;
}

std::string header_html(const RunInfo& run) {
  std::string out = "<header class=\"run\"><h1><span class=\"name\">" + esc(run.name) + "</span>";
  for (const auto& o : run.overrides) out += "<span class=\"override\">" + esc(o) + "</span>";
  out += fmt::format("<span class=\"kind\">{}</span></h1>\n<div class=\"facts\">",
                     kind_name(run.kind));
  std::vector<std::string> facts;
  if (!run.seed.empty()) facts.push_back("seed " + esc(run.seed));
  if (!run.version.empty()) facts.push_back("aifabric " + esc(run.version));
  facts.push_back(esc(run.topology));
  if (!run.scenario_file.empty())
    facts.push_back("scenario <code>" + esc(run.scenario_file) + "</code>");
  if (!run.command.empty()) facts.push_back("<code>" + esc(run.command) + "</code>");
  for (size_t i = 0; i < facts.size(); ++i) out += (i > 0 ? " · " : "") + facts[i];
  out += "</div></header>\n<section id=\"headline\">\n";
  const char* mark = run.status == "completed" ? "✓" : run.status == "failed" ? "✗" : "⏱";
  out += fmt::format("<div class=\"verdict {}\">{} {}</div>\n", esc(run.status), mark,
                     esc(run.verdict));
  if (!run.faults.empty()) out += "<div class=\"faultline\">⚡ " + esc(run.faults) + "</div>\n";
  out += "<div class=\"cards\">\n";
  for (const auto& c : run.cards) {
    out += fmt::format(
        "<div class=\"card\"><div class=\"k\" title=\"{0}\">{0}</div><div class=\"v\">{1}</div>"
        "<div class=\"d\">{2}</div></div>\n",
        esc(c.label), esc(c.value), esc(c.detail));
  }
  return out + "</div></section>\n";
}

}  // namespace aifabric::report
