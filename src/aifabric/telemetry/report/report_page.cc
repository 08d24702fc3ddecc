// The page shell and figure markup shared by report.html and sweep.html (report_page.h).
#include "aifabric/telemetry/report/report_page.h"

#include <fmt/format.h>

#include <cctype>

#include "aifabric/telemetry/report/report_assets.h"
#include "aifabric/telemetry/report/report_format.h"

namespace aifabric::report {

namespace {

// "Utilization: leaf -> spine" -> "utilization-leaf-spine".
std::string slug(const std::string& title) {
  std::string out;
  for (char c : title) {
    const bool word = std::isalnum(static_cast<unsigned char>(c)) != 0;
    if (word) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!out.empty() && out.back() != '-') {
      out += '-';
    }
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "figure" : out;
}

}  // namespace

std::string figure(const Figure& f) {
  const std::string id = slug(f.title);
  if (f.points == 0) {
    return fmt::format(
        "<figure class=\"empty\" id=\"{}\"><figcaption>{}</figcaption><p class=\"absent\">{}</p>"
        "</figure>\n",
        id, esc(f.title), esc(f.empty));
  }
  const std::string type = f.spec.value("type", std::string());
  const bool zoomable = type == "line" || type == "heatmap" || type == "timeline";
  std::string out = fmt::format(
      "<figure class=\"fig{}\" id=\"{}\" data-kind=\"{}\" data-points=\"{}\"><figcaption>{}{}"
      "</figcaption>\n",
      f.wide ? " wide" : "", id, esc(type), f.points, esc(f.title),
      zoomable ? "<span class=\"hint\">drag to zoom · double-click to reset</span>"
               : "<span class=\"hint\">hover for values</span>");
  if (!f.note.empty()) out += "<p class=\"note\">" + esc(f.note) + "</p>\n";
  const bool fixed_height = type == "line" || type == "bar";
  out += fixed_height ? fmt::format("<div class=\"plot\" style=\"height:{}px\"></div>\n", f.height)
                      : std::string("<div class=\"plot\"></div>\n");
  out += "<script type=\"application/json\" class=\"spec\">" + script_json(f.spec) +
         "</script></figure>\n";
  return out;
}

std::string grid(const std::string& figures) {
  return "<div class=\"grid\">" + figures + "</div>\n";
}

std::string section(const std::string& id, const std::string& title, const std::string& lead,
                    const std::string& content) {
  std::string out = fmt::format("<section class=\"part\" id=\"{}\"><h2>{}</h2>\n", id, esc(title));
  if (!lead.empty()) out += "<p class=\"lead\">" + lead + "</p>\n";
  return out + content + "</section>\n";
}

std::string page(const std::string& title, const std::string& body) {
  std::string out =
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
      esc(title) + "</title>\n<style>\n";
  out += kReportCss;
  out += "</style></head><body><main>\n" + body + "</main>\n<script>\n";
  out += kChartJs;
  out += "\n</script>\n<script>\n";
  out += kReportJs;
  out += "</script>\n</body></html>\n";
  return out;
}

}  // namespace aifabric::report
