// Numbers for people on the report pages: a value in the unit its size calls for (1.23 ms,
// 16.8 MB, 400 Gbps, 45.2 GB/s), counts with thousands separators, HTML escaping, and JSON
// that can sit inside a <script> element. The charts' axes choose units alike (report.js).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace aifabric::report {

std::string esc(const std::string& s);
// Three significant digits in fixed notation: 0.0123 -> "0.0123", 1234 -> "1,234".
std::string sig3(double v);
std::string seconds(double s);           // 1.2345e-3 -> "1.23 ms"; ps, ns, µs, ms, s
std::string data_size(double bytes);     // binary units: "64 MiB", "27.9 MiB"
std::string rate_bps(double bps);        // "400 Gbps"
std::string bandwidth_GBps(double gbs);  // "45.2 GB/s"
std::string count(int64_t n);            // "12,345"
std::string ratio(double x);             // "1.05×"
std::string percent(double share);       // 0.281 -> "28.1 %"
// `j` as compact JSON with '<' escaped (\u003c), so no "</script>" can end the element.
std::string script_json(const nlohmann::json& j);
// `v` rounded to `digits` significant digits (smaller JSON for the charts).
double round_sig(double v, int digits);

}  // namespace aifabric::report
