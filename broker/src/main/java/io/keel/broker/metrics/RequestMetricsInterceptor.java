package io.keel.broker.metrics;

import com.google.protobuf.MessageLite;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.keel.proto.KeelClientGrpc;
import io.keel.proto.ProduceStreamRequest;
import io.keel.proto.ProduceStreamResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures the client API's Produce and Fetch calls at the gRPC edge: latency from the request's
 * arrival to the response's close, outcome, request bytes in (Produce) and response bytes out
 * (Fetch); each request of a ProduceStream alike. Other methods pass through untouched.
 */
public final class RequestMetricsInterceptor implements ServerInterceptor {
  private static final String PRODUCE = KeelClientGrpc.getProduceMethod().getFullMethodName();
  private static final String FETCH = KeelClientGrpc.getFetchMethod().getFullMethodName();
  private static final String PRODUCE_STREAM =
      KeelClientGrpc.getProduceStreamMethod().getFullMethodName();

  private final BrokerMetrics metrics;

  public RequestMetricsInterceptor(BrokerMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    boolean produce = method.equals(PRODUCE);
    if (method.equals(PRODUCE_STREAM)) {
      return measureStream(call, headers, next);
    }
    if (!produce && !method.equals(FETCH)) {
      return next.startCall(call, headers);
    }
    long start = System.nanoTime();
    AtomicLong bytes = new AtomicLong(); // written and read on different threads
    ServerCall<Q, R> measured =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void sendMessage(R message) {
            if (!produce && message instanceof MessageLite m) {
              bytes.addAndGet(m.getSerializedSize());
            }
            super.sendMessage(message);
          }

          @Override
          public void close(Status status, Metadata trailers) {
            long nanos = System.nanoTime() - start;
            if (produce) {
              metrics.recordProduce(nanos, bytes.get(), status.isOk());
            } else {
              metrics.recordFetch(nanos, bytes.get(), status.isOk());
            }
            super.close(status, trailers);
          }
        };
    return new SimpleForwardingServerCallListener<>(next.startCall(measured, headers)) {
      @Override
      public void onMessage(Q message) {
        if (produce && message instanceof MessageLite m) {
          bytes.addAndGet(m.getSerializedSize());
        }
        super.onMessage(message);
      }
    };
  }

  /** A produce stream: each request is measured from its arrival to its answer, by request id. */
  private <Q, R> ServerCall.Listener<Q> measureStream(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    record Arrival(long nanos, long bytes) {}
    Map<Long, Arrival> arrivals = new ConcurrentHashMap<>();
    ServerCall<Q, R> measured =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void sendMessage(R message) {
            if (message instanceof ProduceStreamResponse r) {
              Arrival a = arrivals.remove(r.getRequestId());
              if (a != null) {
                metrics.recordProduce(System.nanoTime() - a.nanos(), a.bytes(), true);
              }
            }
            super.sendMessage(message);
          }
        };
    return new SimpleForwardingServerCallListener<>(next.startCall(measured, headers)) {
      @Override
      public void onMessage(Q message) {
        if (message instanceof ProduceStreamRequest r) {
          arrivals.put(
              r.getRequestId(), new Arrival(System.nanoTime(), r.getRequest().getSerializedSize()));
        }
        super.onMessage(message);
      }
    };
  }
}
