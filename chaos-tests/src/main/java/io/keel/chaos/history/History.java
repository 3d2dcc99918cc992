package io.keel.chaos.history;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** An immutable history: events in recording order. */
public record History(List<Event> events) {

  public History {
    events = List.copyOf(events);
  }

  /**
   * Pairs each invocation with the next completion of the same process. Each process runs one
   * operation at a time, which the recorder enforces.
   */
  public List<Operation> operations() {
    Map<Integer, Integer> open = new HashMap<>();
    List<Event> invokes = new ArrayList<>();
    List<Event> completions = new ArrayList<>();
    for (Event e : events) {
      if (e.type() == Phase.INVOKE) {
        open.put(e.process(), invokes.size());
        invokes.add(e);
        completions.add(null);
      } else {
        Integer slot = open.remove(e.process());
        if (slot == null) {
          throw new IllegalStateException("completion without invocation: " + e);
        }
        completions.set(slot, e);
      }
    }
    List<Operation> ops = new ArrayList<>(invokes.size());
    for (int i = 0; i < invokes.size(); i++) {
      ops.add(new Operation(invokes.get(i), completions.get(i)));
    }
    return ops;
  }

  /** Operations whose op is of the given type. */
  public <T extends Op> List<Operation> operations(Class<T> type) {
    return operations().stream().filter(o -> type.isInstance(o.op())).toList();
  }

  public static History readJsonLines(Path file) {
    ObjectReader reader = HistoryJson.mapper().readerFor(Event.class);
    List<Event> events = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (!line.isBlank()) {
          events.add(reader.readValue(line));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading history " + file, e);
    }
    return new History(events);
  }

  public void writeJsonLines(Path file) {
    ObjectMapper mapper = HistoryJson.mapper();
    StringBuilder out = new StringBuilder();
    try {
      for (Event e : events) {
        out.append(mapper.writeValueAsString(e)).append('\n');
      }
      Files.writeString(file, out);
    } catch (IOException e) {
      throw new UncheckedIOException("writing history " + file, e);
    }
  }
}
