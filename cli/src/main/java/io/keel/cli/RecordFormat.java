package io.keel.cli;

import io.keel.client.ConsumerRecord;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@code --format} string: {@code %k} key, {@code %v} value, {@code %p} partition, {@code %o}
 * offset, {@code %t} timestamp, {@code %T} topic, plus a command's own directives; {@code \t},
 * {@code \n}, {@code \\} escapes. Unknown directives are printed as typed.
 */
record RecordFormat(String format) {
  String render(ConsumerRecord<String, String> r) {
    return render(r, Map.of());
  }

  String render(ConsumerRecord<String, String> r, Map<Character, String> extra) {
    Map<Character, String> fields = new HashMap<>(extra);
    fields.put('k', String.valueOf(r.key()));
    fields.put('v', String.valueOf(r.value()));
    fields.put('p', String.valueOf(r.partition()));
    fields.put('o', String.valueOf(r.offset()));
    fields.put('t', String.valueOf(r.timestamp()));
    fields.put('T', r.topic());
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < format.length(); i++) {
      char c = format.charAt(i);
      if ((c == '%' || c == '\\') && i + 1 < format.length()) {
        char next = format.charAt(++i);
        text.append(c == '%' ? fields.getOrDefault(next, "%" + next) : escape(next));
      } else {
        text.append(c);
      }
    }
    return text.toString();
  }

  private static String escape(char c) {
    return switch (c) {
      case 't' -> "\t";
      case 'n' -> "\n";
      case '\\' -> "\\";
      default -> "\\" + c;
    };
  }
}
