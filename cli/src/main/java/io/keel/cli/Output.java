package io.keel.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Prints command results as an aligned table or as JSON. */
final class Output {
  enum Format {
    table,
    json
  }

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final Format format;
  private final PrintStream out;

  Output(Format format, PrintStream out) {
    this.format = format;
    this.out = out;
  }

  boolean json() {
    return format == Format.json;
  }

  /** Prints {@code value} as JSON, or {@code table} when the format is table. */
  void print(Object value, Table table) {
    if (json()) {
      printJson(value);
    } else {
      out.print(table.render());
    }
  }

  void printJson(Object value) {
    try {
      out.println(JSON.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render JSON: " + e.getMessage(), e);
    }
  }

  void line(String text) {
    if (!json()) {
      out.println(text);
    }
  }

  /** A table with a header row; columns are padded to their widest cell. */
  static final class Table {
    private final List<String[]> rows = new ArrayList<>();

    Table(String... header) {
      rows.add(header);
    }

    Table row(Object... cells) {
      String[] text = new String[cells.length];
      for (int i = 0; i < cells.length; i++) {
        text[i] = String.valueOf(cells[i]);
      }
      rows.add(text);
      return this;
    }

    String render() {
      int columns = rows.get(0).length;
      int[] widths = new int[columns];
      for (String[] row : rows) {
        for (int i = 0; i < columns && i < row.length; i++) {
          widths[i] = Math.max(widths[i], row[i].length());
        }
      }
      StringBuilder text = new StringBuilder();
      for (String[] row : rows) {
        for (int i = 0; i < columns && i < row.length; i++) {
          String cell = i == columns - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]);
          text.append(cell);
        }
        text.append('\n');
      }
      return text.toString();
    }
  }
}
