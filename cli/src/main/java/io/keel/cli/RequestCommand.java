package io.keel.cli;

import io.keel.client.KeelRequester;
import io.keel.client.KeelRequesterConfig;
import io.keel.client.KeelResponder;
import io.keel.client.KeelResponderConfig;
import io.keel.client.KeelTimeoutException;
import io.keel.client.Serdes;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code keel request TOPIC VALUE}: one request over the log, printing its reply; with {@code
 * --echo}, an echo responder on TOPIC instead (answers every request with its own value).
 */
@Command(
    name = "request",
    description = {
      "Send one request to TOPIC and print the reply (request/reply over the log), or with",
      "--echo answer requests on TOPIC with their own value until interrupted."
    },
    footer = {
      "",
      "The reply topic must exist, and each caller needs its own reply partition.",
      "Examples:",
      "  keel topic create replies -p 4 -r 3",
      "  keel request tasks --echo &",
      "  keel request tasks 'resize 42' --reply-topic replies --reply-partition 0 --timeout 5s"
    })
final class RequestCommand implements Callable<Integer> {
  @Mixin ClientOptions client;

  @Parameters(index = "0", paramLabel = "TOPIC", description = "Topic requests go to.")
  String topic;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "VALUE",
      description = "The request's value (not with --echo).")
  String value;

  @Option(names = "--echo", description = "Run an echo responder on TOPIC instead.")
  boolean echo;

  @Option(names = "--group", defaultValue = "keel-echo", description = "Echo responder's group.")
  String group;

  @Option(
      names = {"-k", "--key"},
      description = "The request's key.")
  String key;

  @Option(
      names = "--reply-topic",
      defaultValue = "replies",
      description = "Topic replies come back on (default: replies).")
  String replyTopic;

  @Option(
      names = "--reply-partition",
      defaultValue = "0",
      description = "This caller's own partition of the reply topic (default: 0).")
  int replyPartition;

  @Option(
      names = {"-t", "--timeout"},
      defaultValue = "10s",
      converter = Durations.class,
      description = "How long to wait for the reply (default: 10s).")
  Duration timeout;

  @Override
  public Integer call() {
    String bootstrap = String.join(",", client.bootstrapServers());
    if (echo) {
      return serveEcho(bootstrap);
    }
    if (value == null) {
      System.err.println("keel request: give a VALUE to send, or --echo to answer requests");
      return 2;
    }
    KeelRequesterConfig config =
        new KeelRequesterConfig(
            List.of(client.bootstrapServers()), replyTopic, replyPartition, 1, timeout);
    try (KeelRequester<String, String> requester =
        new KeelRequester<>(
            config,
            Serdes.stringSerializer(),
            Serdes.stringSerializer(),
            Serdes.stringDeserializer())) {
      System.out.println(requester.request(topic, key, value, timeout).join());
      return 0;
    } catch (CompletionException e) {
      if (e.getCause() instanceof KeelTimeoutException) {
        System.err.println(
            "keel request: no reply within " + timeout + " (is a responder running?)");
        return 1;
      }
      throw e;
    }
  }

  private int serveEcho(String bootstrap) {
    KeelResponder<String, String> responder =
        new KeelResponder<>(
            KeelResponderConfig.of(bootstrap, group, topic),
            Serdes.stringSerializer(),
            Serdes.stringDeserializer(),
            Serdes.stringSerializer(),
            Serdes.stringDeserializer(),
            request -> request.value());
    Runtime.getRuntime().addShutdownHook(new Thread(responder::close));
    System.err.println("echo responder on " + topic + " (group " + group + "); Ctrl-C stops it");
    responder.run();
    return 0;
  }
}
