// The parts every report page is made of: the page itself (style, Chart.js and report.js
// inlined), a section, and a figure whose JSON spec report.js draws.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

namespace aifabric::report {

struct Figure {
  std::string title;
  std::string note;  // one line under the title (optional)
  // {"type": "line" | "bar" | "heatmap" | "timeline", ...}: see report.js.
  nlohmann::json spec;
  size_t points = 0;  // what the spec holds; data-points="0" shows "no data" instead
  bool wide = false;  // the whole width of the section rather than one column of two
  int height = 300;   // px, line and bar charts
  std::string empty = "no data in this run";  // shown instead when points == 0
};

// <figure class="fig" data-points=N> with its spec, or a "no data" note.
std::string figure(const Figure& f);
// Consecutive figures in two columns.
std::string grid(const std::string& figures);
std::string section(const std::string& id, const std::string& title, const std::string& lead,
                    const std::string& content);
// The whole page: `body` inside <main>, then Chart.js and report.js.
std::string page(const std::string& title, const std::string& body);

}  // namespace aifabric::report
