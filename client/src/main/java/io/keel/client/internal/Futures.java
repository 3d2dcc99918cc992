package io.keel.client.internal;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.util.concurrent.CompletableFuture;

/** Bridges gRPC's ListenableFuture to CompletableFuture. */
public final class Futures {
  private Futures() {}

  public static <T> CompletableFuture<T> of(ListenableFuture<T> future) {
    CompletableFuture<T> result = new CompletableFuture<>();
    com.google.common.util.concurrent.Futures.addCallback(
        future,
        new FutureCallback<T>() {
          @Override
          public void onSuccess(T value) {
            result.complete(value);
          }

          @Override
          public void onFailure(Throwable t) {
            result.completeExceptionally(t);
          }
        },
        MoreExecutors.directExecutor());
    return result;
  }
}
