#include "server/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <sstream>
#include <thread>

namespace gatescope::server {
namespace {

// A strict reader of the text exposition format 0.0.4, enough to check what Render writes:
// every sample's family was declared by HELP then TYPE just before, names and label names are
// valid, label values use only the three escapes, values parse as floats, and no sample repeats.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};
struct Parsed {
  std::map<std::string, std::string> types;
  std::map<std::string, std::string> help;
  std::vector<std::string> family_order;
  std::vector<Sample> samples;
  std::string error;  // Empty when the text is valid.
};

bool ValidName(const std::string& s, bool colon_ok) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (colon_ok && c == ':') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

double ParseValue(const std::string& s, bool* ok) {
  if (s == "+Inf") return INFINITY;
  if (s == "-Inf") return -INFINITY;
  if (s == "NaN") return NAN;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  *ok = !s.empty() && end == s.c_str() + s.size();
  return v;
}

Parsed ParseExposition(const std::string& text) {
  Parsed p;
  if (!text.empty() && text.back() != '\n') p.error = "no final newline";
  std::istringstream in(text);
  std::string line;
  std::string current;  // The family the last TYPE line declared.
  std::set<std::string> seen_samples;
  while (p.error.empty() && std::getline(in, line)) {
    if (line.rfind("# HELP ", 0) == 0) {
      std::string rest = line.substr(7);
      std::string name = rest.substr(0, rest.find(' '));
      if (!ValidName(name, true)) p.error = "bad HELP name: " + line;
      if (p.help.count(name) != 0) p.error = "HELP twice: " + line;
      p.help[name] = rest.size() > name.size() ? rest.substr(name.size() + 1) : "";
      continue;
    }
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream fields(line.substr(7));
      std::string name, type;
      fields >> name >> type;
      if (p.help.count(name) == 0) p.error = "TYPE without HELP before it: " + line;
      if (type != "counter" && type != "gauge" && type != "histogram") p.error = "type: " + line;
      if (p.types.count(name) != 0) p.error = "TYPE twice: " + line;
      p.types[name] = type;
      p.family_order.push_back(name);
      current = name;
      continue;
    }
    if (line.empty() || line[0] == '#') {
      p.error = "unexpected line: " + line;
      break;
    }
    Sample s;
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') s.name += line[i++];
    if (!ValidName(s.name, true)) p.error = "bad sample name: " + line;
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (p.error.empty() && i < line.size() && line[i] != '}') {
        std::string key;
        while (i < line.size() && line[i] != '=') key += line[i++];
        if (!ValidName(key, false)) p.error = "bad label name: " + line;
        if (i + 1 >= line.size() || line[i + 1] != '"') {
          p.error = "label value not quoted: " + line;
          break;
        }
        i += 2;
        std::string value;
        while (i < line.size() && line[i] != '"') {
          if (line[i] == '\\') {
            char next = i + 1 < line.size() ? line[i + 1] : '\0';
            if (next == 'n') {
              value += '\n';
            } else if (next == '\\' || next == '"') {
              value += next;
            } else {
              p.error = "bad escape: " + line;
            }
            i += 2;
          } else {
            value += line[i++];
          }
        }
        ++i;  // Closing quote.
        if (s.labels.count(key) != 0) p.error = "label twice: " + line;
        s.labels[key] = value;
        if (i < line.size() && line[i] == ',') ++i;
      }
      ++i;  // Closing brace.
    }
    if (i >= line.size() || line[i] != ' ') {
      p.error = "no value: " + line;
      break;
    }
    bool ok = true;
    s.value = ParseValue(line.substr(i + 1), &ok);
    if (!ok) p.error = "bad value: " + line;
    std::string base = s.name;
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (p.types[current] == "histogram" && base.size() > std::strlen(suffix) &&
          base.compare(base.size() - std::strlen(suffix), std::string::npos, suffix) == 0) {
        base.resize(base.size() - std::strlen(suffix));
      }
    }
    if (base != current) p.error = "sample outside its family: " + line;
    if (!seen_samples.insert(line.substr(0, i)).second) p.error = "sample twice: " + line;
    p.samples.push_back(std::move(s));
  }
  return p;
}

const Sample* Find(const Parsed& p, const std::string& name,
                   const std::map<std::string, std::string>& labels) {
  for (const Sample& s : p.samples) {
    if (s.name == name && s.labels == labels) return &s;
  }
  return nullptr;
}

TEST(MetricsTest, RendersCountersSortedWithHelpAndType) {
  Metrics m;
  m.GetCounter("gatescope_requests_total", "HTTP requests.",
               {{"route", "/v1/ingest"}, {"code", "200"}})
      .Add(3);
  m.GetCounter("gatescope_requests_total", "ignored", {{"route", "/v1/endpoints"}, {"code", "400"}})
      .Add();
  m.GetCounter("gatescope_a_total", "First by name.").Add(0);
  m.SetGauge("gatescope_inventory_endpoints", "Endpoints in the inventory.", 42);
  std::string text = m.Render();
  Parsed p = ParseExposition(text);
  ASSERT_EQ(p.error, "") << text;
  EXPECT_EQ(p.family_order,
            (std::vector<std::string>{"gatescope_a_total", "gatescope_inventory_endpoints",
                                      "gatescope_requests_total"}));
  EXPECT_EQ(p.types["gatescope_requests_total"], "counter");
  EXPECT_EQ(p.types["gatescope_inventory_endpoints"], "gauge");
  EXPECT_EQ(p.help["gatescope_requests_total"], "HTTP requests.");  // The first help stays.
  const Sample* ingest =
      Find(p, "gatescope_requests_total", {{"route", "/v1/ingest"}, {"code", "200"}});
  ASSERT_NE(ingest, nullptr);
  EXPECT_EQ(ingest->value, 3);
  EXPECT_EQ(Find(p, "gatescope_inventory_endpoints", {})->value, 42);
  EXPECT_EQ(Find(p, "gatescope_a_total", {})->value, 0);
  // Label order is as registered; label sets are sorted by their text.
  EXPECT_NE(text.find("gatescope_requests_total{route=\"/v1/endpoints\",code=\"400\"} 1\n"
                      "gatescope_requests_total{route=\"/v1/ingest\",code=\"200\"} 3\n"),
            std::string::npos)
      << text;
}

TEST(MetricsTest, SameLabelsSameCounter) {
  Metrics m;
  Metrics::Counter& a = m.GetCounter("x_total", "X.", {{"k", "v"}});
  Metrics::Counter& b = m.GetCounter("x_total", "X.", {{"k", "v"}});
  EXPECT_EQ(&a, &b);
  a.Add(2);
  EXPECT_EQ(b.value(), 2u);
  EXPECT_NE(&a, &m.GetCounter("x_total", "X.", {{"k", "w"}}));
}

TEST(MetricsTest, EscapesLabelValuesAndHelp) {
  Metrics m;
  std::string nasty = "a\"b\\c\nd}{,=";
  m.GetCounter("escaped_total", "Help with \\ and\nnewline.", {{"value", nasty}}).Add();
  std::string text = m.Render();
  EXPECT_NE(text.find("# HELP escaped_total Help with \\\\ and\\nnewline.\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(escaped_total{value="a\"b\\c\nd}{,="} 1)"), std::string::npos) << text;
  Parsed p = ParseExposition(text);
  ASSERT_EQ(p.error, "") << text;
  EXPECT_NE(Find(p, "escaped_total", {{"value", nasty}}), nullptr);
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Metrics m;
  Metrics::Histogram& h =
      m.GetHistogram("gatescope_request_duration_seconds", "Request latency.", {{"route", "/x"}});
  for (double v : {0.0001, 0.0005, 0.003, 0.003, 0.2, 7.0, 60.0}) h.Observe(v);
  std::string text = m.Render();
  Parsed p = ParseExposition(text);
  ASSERT_EQ(p.error, "") << text;
  EXPECT_EQ(p.types["gatescope_request_duration_seconds"], "histogram");
  std::vector<std::pair<std::string, double>> buckets;
  for (const Sample& s : p.samples) {
    if (s.name == "gatescope_request_duration_seconds_bucket") {
      EXPECT_EQ(s.labels.at("route"), "/x");
      buckets.emplace_back(s.labels.at("le"), s.value);
    }
  }
  ASSERT_EQ(buckets.size(), 15u);                                          // 14 bounds and +Inf.
  EXPECT_EQ(buckets.front(), std::make_pair(std::string("0.0005"), 2.0));  // <= is inclusive.
  EXPECT_EQ(buckets.back(), std::make_pair(std::string("+Inf"), 7.0));
  double previous = 0;
  double previous_le = 0;
  for (const auto& [le, count] : buckets) {
    EXPECT_GE(count, previous);
    bool ok = true;
    double bound = ParseValue(le, &ok);
    EXPECT_GT(bound, previous_le);
    previous = count;
    previous_le = bound;
  }
  auto bucket = [&](const std::string& le) {
    for (const auto& [l, c] : buckets) {
      if (l == le) return c;
    }
    return -1.0;
  };
  EXPECT_EQ(bucket("0.005"), 4);
  EXPECT_EQ(bucket("0.25"), 5);
  EXPECT_EQ(bucket("10"), 6);
  const Sample* count = Find(p, "gatescope_request_duration_seconds_count", {{"route", "/x"}});
  const Sample* sum = Find(p, "gatescope_request_duration_seconds_sum", {{"route", "/x"}});
  ASSERT_NE(count, nullptr);
  ASSERT_NE(sum, nullptr);
  EXPECT_EQ(count->value, 7);
  EXPECT_NEAR(sum->value, 67.2066, 1e-6);
}

TEST(MetricsTest, HistogramWithoutLabels) {
  Metrics m;
  m.GetHistogram("plain_seconds", "Plain.").Observe(0.01);
  std::string text = m.Render();
  EXPECT_NE(text.find("plain_seconds_bucket{le=\"0.01\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("plain_seconds_sum 0.01\nplain_seconds_count 1\n"), std::string::npos)
      << text;
  EXPECT_EQ(ParseExposition(text).error, "");
}

TEST(MetricsTest, ValidatesNames) {
  EXPECT_TRUE(Metrics::IsValidMetricName("gatescope_x_total"));
  EXPECT_TRUE(Metrics::IsValidMetricName("job:rate5m"));
  EXPECT_TRUE(Metrics::IsValidMetricName("_x"));
  EXPECT_FALSE(Metrics::IsValidMetricName(""));
  EXPECT_FALSE(Metrics::IsValidMetricName("1x"));
  EXPECT_FALSE(Metrics::IsValidMetricName("a-b"));
  EXPECT_FALSE(Metrics::IsValidMetricName("a b"));
  EXPECT_TRUE(Metrics::IsValidLabelName("route"));
  EXPECT_FALSE(Metrics::IsValidLabelName("a:b"));
  EXPECT_FALSE(Metrics::IsValidLabelName("__name"));
  EXPECT_FALSE(Metrics::IsValidLabelName("le"));
  EXPECT_FALSE(Metrics::IsValidLabelName("9"));
}

TEST(MetricsDeathTest, RejectsInvalidNamesWhenRegistered) {
  Metrics m;
  EXPECT_DEATH(m.GetCounter("bad-name", "x"), "check failed");
  EXPECT_DEATH(m.GetCounter("ok_total", "x", {{"bad label", "v"}}), "check failed");
  m.GetCounter("typed", "x");
  EXPECT_DEATH(m.GetHistogram("typed", "x"), "check failed");  // One type per name.
}

TEST(MetricsTest, RenderWhileCounting) {
  Metrics m;
  Metrics::Counter& c = m.GetCounter("busy_total", "Busy.");
  Metrics::Histogram& h = m.GetHistogram("busy_seconds", "Busy.");
  std::thread writer([&] {
    for (int i = 0; i < 20000; ++i) {
      c.Add();
      h.Observe(0.001 * (i % 100));
    }
  });
  for (int i = 0; i < 50; ++i) EXPECT_EQ(ParseExposition(m.Render()).error, "");
  writer.join();
  Parsed p = ParseExposition(m.Render());
  EXPECT_EQ(Find(p, "busy_total", {})->value, 20000);
  EXPECT_EQ(Find(p, "busy_seconds_count", {})->value, 20000);
}

TEST(MetricsTest, GaugeValuesAndEmptyRegistry) {
  Metrics m;
  EXPECT_EQ(m.Render(), "");
  m.SetGauge("g", "G.", 0.25);
  m.SetGauge("g", "G.", 1.5e-7);
  EXPECT_NE(m.Render().find("\ng 1.5e-07\n"), std::string::npos) << m.Render();
  m.SetGauge("g", "G.", NAN);
  EXPECT_NE(m.Render().find("\ng NaN\n"), std::string::npos);
  EXPECT_EQ(ParseExposition(m.Render()).error, "");
}

}  // namespace
}  // namespace gatescope::server
