package io.keel.chaos.report;

import io.keel.chaos.checker.Availability.FaultWindow;
import io.keel.chaos.checker.Checker;
import io.keel.chaos.history.Operation;
import io.keel.chaos.history.Phase;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.IntervalMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** PNG charts over run time with fault windows shaded. Headless: no display needed. */
final class Plots {
  private static final int WIDTH = 1200;
  private static final int HEIGHT = 500;

  private Plots() {}

  /** Completed operations per second, one line per "type outcome" (send ok, poll info, ...). */
  static void throughput(List<Operation> ops, List<FaultWindow> faults, double end, Path png) {
    Map<String, XYSeries> series = new TreeMap<>();
    Map<String, Map<Long, Integer>> buckets = new TreeMap<>();
    for (Operation o : ops) {
      if (o.completion() == null || o.process() < 0) {
        continue;
      }
      String key = Checker.typeName(o.op()) + " " + o.outcome().name().toLowerCase(Locale.ROOT);
      long second = (long) o.completion().timeSeconds();
      buckets.computeIfAbsent(key, k -> new TreeMap<>()).merge(second, 1, Integer::sum);
    }
    buckets.forEach(
        (key, counts) -> {
          XYSeries s = series.computeIfAbsent(key, XYSeries::new);
          for (long t = 0; t <= (long) end; t++) {
            s.add(t, counts.getOrDefault(t, 0));
          }
        });
    XYSeriesCollection data = new XYSeriesCollection();
    series.values().forEach(data::addSeries);
    XYPlot plot = plot(data, new NumberAxis("operations / s"), false);
    save(new JFreeChart("Throughput", plot), faults, end, png);
  }

  /** Latency of every completed client operation, log scale, coloured by outcome. */
  static void latency(List<Operation> ops, List<FaultWindow> faults, double end, Path png) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Phase outcome : List.of(Phase.OK, Phase.FAIL, Phase.INFO)) {
      XYSeries s = new XYSeries(outcome.name().toLowerCase(Locale.ROOT), false, true);
      for (Operation o : ops) {
        if (o.completion() != null && o.process() >= 0 && o.outcome() == outcome) {
          double ms = Math.max(0.01, (o.completeNanos() - o.invokeNanos()) / 1e6);
          s.add(o.completion().timeSeconds(), ms);
        }
      }
      data.addSeries(s);
    }
    LogarithmicAxis y = new LogarithmicAxis("latency (ms)");
    y.setAllowNegativesFlag(false);
    XYPlot plot = plot(data, y, true);
    XYLineAndShapeRenderer r = (XYLineAndShapeRenderer) plot.getRenderer();
    r.setSeriesPaint(0, new Color(0x2e7d32));
    r.setSeriesPaint(1, new Color(0xc62828));
    r.setSeriesPaint(2, new Color(0xef6c00));
    save(new JFreeChart("Latency", plot), faults, end, png);
  }

  private static XYPlot plot(XYSeriesCollection data, NumberAxis y, boolean points) {
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(!points, points);
    if (points) {
      for (int i = 0; i < data.getSeriesCount(); i++) {
        renderer.setSeriesShape(i, new Rectangle(-1, -1, 2, 2));
      }
    } else {
      for (int i = 0; i < data.getSeriesCount(); i++) {
        renderer.setSeriesStroke(i, new BasicStroke(1.5f));
      }
    }
    XYPlot plot = new XYPlot(data, new NumberAxis("time since start (s)"), y, renderer);
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    return plot;
  }

  private static void save(JFreeChart chart, List<FaultWindow> faults, double end, Path png) {
    XYPlot plot = chart.getXYPlot();
    for (FaultWindow f : faults) {
      double heal = Double.isNaN(f.healSeconds()) ? end : f.healSeconds();
      IntervalMarker m = new IntervalMarker(f.startSeconds(), heal);
      m.setPaint(new Color(255, 80, 80, 50));
      m.setLabel(f.name());
      m.setLabelAnchor(RectangleAnchor.TOP_LEFT);
      m.setLabelTextAnchor(TextAnchor.TOP_LEFT);
      plot.addDomainMarker(m, Layer.BACKGROUND);
    }
    plot.getDomainAxis().setRange(0, Math.max(1, end));
    chart.setBackgroundPaint(Color.WHITE);
    try {
      ChartUtils.saveChartAsPNG(png.toFile(), chart, WIDTH, HEIGHT);
    } catch (IOException e) {
      throw new UncheckedIOException("writing chart " + png, e);
    }
  }
}
