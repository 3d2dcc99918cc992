package io.keel.cli.deploy;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough PromQL lexing to list the metric names an expression reads: what is left once
 * strings, label matchers, range selectors, grouping label lists, Grafana variables, function
 * calls, keywords and numbers are taken out.
 */
final class PromQl {
  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'[^']*'");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{?\\w+}?");
  private static final Pattern IDENTIFIER =
      Pattern.compile("(?<![\\w.])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");
  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "offset",
          "bool",
          "atan2",
          "inf",
          "nan",
          "Inf",
          "NaN");

  private PromQl() {}

  static Set<String> metricNames(String expression) {
    String rest = STRING.matcher(expression).replaceAll(" ");
    rest = MATCHERS.matcher(rest).replaceAll(" ");
    rest = RANGE.matcher(rest).replaceAll(" ");
    rest = GROUPING.matcher(rest).replaceAll(" ");
    rest = VARIABLE.matcher(rest).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher matcher = IDENTIFIER.matcher(rest);
    while (matcher.find()) {
      String token = matcher.group(1);
      if (!KEYWORDS.contains(token)) {
        names.add(token);
      }
    }
    return names;
  }
}
