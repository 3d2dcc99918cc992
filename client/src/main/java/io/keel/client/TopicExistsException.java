package io.keel.client;

/** createTopics named a topic that already exists. */
public class TopicExistsException extends KeelException {
  public TopicExistsException(String message) {
    super(message);
  }

  public TopicExistsException(String message, Throwable cause) {
    super(message, cause);
  }
}
