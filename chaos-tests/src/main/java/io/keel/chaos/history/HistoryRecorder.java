package io.keel.chaos.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Thread-safe, append-only recorder. Events get a dense index and a timestamp under one lock, so
 * the history order is consistent with the timestamps. Optionally streams JSON lines to a file as
 * it goes, so a run that dies still leaves its history behind.
 */
public final class HistoryRecorder implements AutoCloseable {
  private final RunClock clock;
  private final Writer sink;
  private final ObjectWriter json = HistoryJson.mapper().writerFor(Event.class);
  private final List<Event> events = new ArrayList<>();
  // Invariant: a process has at most one operation in flight.
  private final Set<Integer> inFlight = new HashSet<>();
  // Counts of completions by Phase ordinal, read without the lock by progress reporting.
  private final AtomicLongArray outcomes = new AtomicLongArray(Phase.values().length);

  private HistoryRecorder(RunClock clock, Writer sink) {
    this.clock = clock;
    this.sink = sink;
  }

  public static HistoryRecorder inMemory(RunClock clock) {
    return new HistoryRecorder(clock, null);
  }

  public static HistoryRecorder toFile(Path file, RunClock clock) {
    try {
      return new HistoryRecorder(clock, Files.newBufferedWriter(file));
    } catch (IOException e) {
      throw new UncheckedIOException("opening history " + file, e);
    }
  }

  public RunClock clock() {
    return clock;
  }

  public Event invoke(int process, Op op) {
    return append(Phase.INVOKE, process, op, null);
  }

  public Event ok(int process, Op op) {
    return append(Phase.OK, process, op, null);
  }

  public Event fail(int process, Op op, String error) {
    return append(Phase.FAIL, process, op, error);
  }

  public Event info(int process, Op op, String error) {
    return append(Phase.INFO, process, op, error);
  }

  /** Completions so far with the given outcome (OK, FAIL or INFO). */
  public long completed(Phase outcome) {
    return outcomes.get(outcome.ordinal());
  }

  public synchronized History snapshot() {
    return new History(events);
  }

  private synchronized Event append(Phase type, int process, Op op, String error) {
    boolean busy = inFlight.contains(process);
    if (type == Phase.INVOKE && busy) {
      throw new IllegalStateException("process " + process + " already has an op in flight");
    }
    if (type != Phase.INVOKE && !busy) {
      throw new IllegalStateException("process " + process + " completes " + op + " never invoked");
    }
    if (type == Phase.INVOKE) {
      inFlight.add(process);
    } else {
      inFlight.remove(process);
      outcomes.incrementAndGet(type.ordinal());
    }
    Event e = new Event(events.size(), type, process, op, clock.nanos(), clock.wallMs(), error);
    events.add(e);
    write(e);
    return e;
  }

  private void write(Event e) {
    if (sink == null) {
      return;
    }
    try {
      sink.write(json.writeValueAsString(e));
      sink.write('\n');
    } catch (JsonProcessingException ex) {
      throw new IllegalStateException("cannot serialise " + e, ex);
    } catch (IOException ex) {
      throw new UncheckedIOException("writing history", ex);
    }
  }

  /** Flushes the file so a reader sees every event so far. */
  public synchronized void flush() {
    if (sink != null) {
      try {
        sink.flush();
      } catch (IOException e) {
        throw new UncheckedIOException("flushing history", e);
      }
    }
  }

  @Override
  public synchronized void close() {
    if (sink != null) {
      try {
        sink.close();
      } catch (IOException e) {
        throw new UncheckedIOException("closing history", e);
      }
    }
  }
}
