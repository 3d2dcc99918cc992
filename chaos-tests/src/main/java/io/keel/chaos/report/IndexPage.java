package io.keel.chaos.report;

import io.keel.chaos.checker.CheckResult;
import java.nio.file.Path;
import java.util.List;

/** index.html: verdict, summary, charts and links to the raw files and node logs. */
final class IndexPage {
  private IndexPage() {}

  static String render(
      RunInfo info, CheckResult result, String summary, Path dir, List<Path> logs) {
    StringBuilder links = new StringBuilder();
    for (String f : List.of(RunReport.HISTORY, RunReport.RESULT, RunReport.SUMMARY)) {
      links.append("<li><a href=\"%s\">%s</a></li>\n".formatted(f, f));
    }
    for (Path log : logs) {
      String rel = dir.toAbsolutePath().relativize(log.toAbsolutePath()).toString();
      links.append("<li><a href=\"%s\">%s</a></li>\n".formatted(escape(rel), escape(rel)));
    }
    String verdict = result.valid() ? "VALID" : "INVALID";
    String colour = result.valid() ? "#2e7d32" : "#c62828";
    return """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>Keel chaos %s</title>
        <style>body{font-family:sans-serif;margin:2em}pre{background:#f5f5f5;padding:1em}
        .v{color:%s;font-weight:bold}</style></head>
        <body>
        <h1>Keel chaos run %s: <span class="v">%s</span></h1>
        <p>seed %d &middot; replay: <code>%s</code></p>
        <img src="%s" alt="throughput"><br>
        <img src="%s" alt="latency">
        <h2>Summary</h2>
        <pre>%s</pre>
        <h2>Files</h2>
        <ul>
        %s</ul>
        </body></html>
        """
        .formatted(
            info.runId(),
            colour,
            info.runId(),
            verdict,
            info.seed(),
            escape(info.replayCommand()),
            RunReport.THROUGHPUT,
            RunReport.LATENCY,
            escape(summary),
            links);
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
