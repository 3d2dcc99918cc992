package io.keel.client.internal;

import static io.keel.client.internal.ConfigDef.atLeast;

import io.keel.client.internal.ConfigDef.Type;

/** Keys every Keel client accepts. */
public final class CommonConfigKeys {
  public static final String BOOTSTRAP_SERVERS = "bootstrap.servers";
  public static final String CLIENT_ID = "client.id";
  public static final String REQUEST_TIMEOUT_MS = "request.timeout.ms";
  public static final String RETRY_BACKOFF_MS = "retry.backoff.ms";
  public static final String METADATA_MAX_AGE_MS = "metadata.max.age.ms";

  private CommonConfigKeys() {}

  public static ConfigDef define(ConfigDef def) {
    return def.define(
            BOOTSTRAP_SERVERS,
            Type.LIST,
            ConfigDef.REQUIRED,
            ConfigDef.hostPorts(),
            "Comma-separated host:port list of nodes to fetch metadata from first.")
        .define(CLIENT_ID, Type.STRING, "", "Name for this client in broker logs and metrics.")
        .define(
            REQUEST_TIMEOUT_MS,
            Type.INT,
            30_000,
            atLeast(1),
            "How long to wait for one request's response before retrying it.")
        .define(
            RETRY_BACKOFF_MS,
            Type.LONG,
            100L,
            atLeast(0),
            "Pause before retrying a failed request.")
        .define(
            METADATA_MAX_AGE_MS,
            Type.LONG,
            300_000L,
            atLeast(0),
            "Refresh cached metadata at least this often even without errors.");
  }
}
